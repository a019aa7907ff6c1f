--[[
  release: the patent's fee-returning interface (DESIGN §2): unfreeze what is left of a
  reservation and remove it.

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] ledger:{m}   KEYS[4] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId   ARGV[6] ratingGroup
  ARGV[7], ARGV[8] optional (one Redis, not a cluster): the key of the global reservation index
           and this reservation's member in it, removed with the reservation in this call

  Returns
    {0, {'returned', {bucket, amount made available again, ...},
         'expiresAtMs', expiry of the reservation released, 'moneyAvailable', a}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND   -7 RESERVATION_NOT_FOUND   -9 INVALID_ARGUMENT (not remembered)
  A replayed opId returns the first result and changes nothing.
]]
--- @include "args"
--- @include "idempotency"
--- @include "reservation"
--- @include "tiers"
--- @include "ledger"

local opId, now, ttl, maxlen = parse_op(ARGV)
if not opId then
  return refuse(INVALID_ARGUMENT, now)
end
local seen = replay(KEYS[4])
if seen then
  return seen
end
local session, rg, rid = parse_session(ARGV)
if not session then
  return refuse(INVALID_ARGUMENT, rg)
end
local index, member = index_args(ARGV, 7)

local tiers, held, expiresAt = resv_load(KEYS[2], rid)
local acct = account_load(KEYS[1], false, false, tiers)
if not acct then
  return remember(KEYS[4], ttl, refuse(ACCOUNT_NOT_FOUND))
end
if not tiers then
  return remember(KEYS[4], ttl, refuse(RESERVATION_NOT_FOUND, rid))
end

unfreeze(acct, tiers, held)
local returned = step_amounts(acct, AV)
resv_delete(KEYS[2], rid)
if index then
  redis.call('ZREM', index, member)
end
ledger_flush(acct, KEYS[3], maxlen, now, opId, 'return', session, rg, false)
account_save(acct)
local expires, money = tonumber(expiresAt), acct.money[AV]
return remember(KEYS[4], ttl, {
  OK,
  { 'returned', returned, 'expiresAtMs', expires, 'moneyAvailable', money },
})
