--[[
  release: the patent's fee-returning interface (DESIGN §2): unfreeze what is left of a
  reservation and remove it.

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] resvexp:{m}   KEYS[4] ledger:{m}
  KEYS[5]  op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId   ARGV[6] ratingGroup

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

local K = { acct = KEYS[1], resv = KEYS[2], exp = KEYS[3], ledger = KEYS[4], op = KEYS[5] }
local op, err = parse_op(ARGV)
if not op then
  return refuse(INVALID_ARGUMENT, err)
end
local seen = replay(K.op)
if seen then
  return seen
end
err = parse_session(ARGV, op)
if err then
  return refuse(INVALID_ARGUMENT, err)
end

local r = resv_load(K, op.rid)
local acct = account_load(K.acct, r and tier_buckets(r.tiers) or {})
if not acct then
  return remember(K.op, op.ttl, refuse(ACCOUNT_NOT_FOUND))
end
if not r then
  return remember(K.op, op.ttl, refuse(RESERVATION_NOT_FOUND, op.rid))
end

unfreeze(acct, r)
local returned = step_amounts(acct, 1, 1)
resv_delete(K, op.rid)
local L = { key = K.ledger, maxlen = op.maxlen, now = op.now, opId = op.id }
ledger_flush(acct, L, 'return', op.session, op.rg)
account_save(acct)
return remember(K.op, op.ttl, {
  OK,
  {
    'returned', returned,
    'expiresAtMs', r.expires,
    'moneyAvailable', acct.buckets.money.avail,
  },
})
