--[[
  deduct: the patent's fee-deducting interface (DESIGN §2): charge the used service units out of
  a reservation, tier by tier in the reservation's order, a started unit in full. What the
  reservation still holds stays frozen until return (release) or expiry.

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] ledger:{m}   KEYS[4] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId   ARGV[6] ratingGroup
  ARGV[7]  used       service units used
  ARGV[8]  overuse    usage above what is reserved: 'charge-available' charges it from the
                      available part of the tiers' buckets, in tier order, never below zero;
                      'refuse' leaves it uncharged. Either way it is reported as uncharged.

  Returns
    {0, {'charged', service units paid for, 'uncharged', service units not paid for,
         'amounts', {bucket, amount moved to spent, ...}, 'remaining', service units still
         reserved, 'moneyAvailable', a}}
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
local used, overuse = parse_uint(ARGV[7]), ARGV[8]
if not used then
  return refuse(INVALID_ARGUMENT, 'used: a non-negative integer')
end
if overuse ~= 'charge-available' and overuse ~= 'refuse' then
  return refuse(INVALID_ARGUMENT, "overuse: 'charge-available' or 'refuse'")
end

local tiers, held, expiresAt = resv_load(KEYS[2], rid)
local acct = account_load(KEYS[1], false, true, tiers)
if not acct then
  return remember(KEYS[4], ttl, refuse(ACCOUNT_NOT_FOUND))
end
acct.now = tonumber(now)
if not tiers then
  return remember(KEYS[4], ttl, refuse(RESERVATION_NOT_FOUND, rid))
end

local uncharged = deduct_usage(acct, tiers, held, used, overuse)
local amounts = step_amounts(acct, SP)
resv_save(KEYS[2], rid, expiresAt, tiers, held, false)
ledger_flush(acct, KEYS[3], maxlen, now, opId, 'deduct', session, rg, uncharged > 0,
  '|used=' .. ARGV[7] .. '|uncharged=' .. istr(uncharged))
account_save(acct)
local charged, remaining, money = used - uncharged, resv_units(tiers, held), acct.money[AV]
return remember(KEYS[4], ttl, {
  OK,
  { 'charged', charged, 'uncharged', uncharged, 'amounts', amounts, 'remaining', remaining, 'moneyAvailable', money },
})
