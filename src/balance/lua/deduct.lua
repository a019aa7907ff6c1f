--[[
  deduct: the patent's fee-deducting interface (DESIGN §2): charge the used service units out of
  a reservation, tier by tier in the reservation's order, a started unit in full. What the
  reservation still holds stays frozen until return (release) or expiry.

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] resvexp:{m}   KEYS[4] ledger:{m}
  KEYS[5]  op:{m}:<opId>
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
local used, overuse = parse_uint(ARGV[7]), ARGV[8]
if not used then
  return refuse(INVALID_ARGUMENT, 'used: a non-negative integer')
end
if overuse ~= 'charge-available' and overuse ~= 'refuse' then
  return refuse(INVALID_ARGUMENT, "overuse: 'charge-available' or 'refuse'")
end

local r = resv_load(K, op.rid)
local acct = account_load(K.acct, r and tier_buckets(r.tiers) or {})
if not acct then
  return remember(K.op, op.ttl, refuse(ACCOUNT_NOT_FOUND))
end
if not r then
  return remember(K.op, op.ttl, refuse(RESERVATION_NOT_FOUND, op.rid))
end

local uncharged = deduct_usage(acct, r, used, overuse)
local amounts = step_amounts(acct, 3, 1)
resv_save(K, op.rid, r)
local L = { key = K.ledger, maxlen = op.maxlen, now = op.now, opId = op.id }
ledger_flush(acct, L, 'deduct', op.session, op.rg,
  { 'used', istr(used), 'uncharged', istr(uncharged) }, uncharged > 0)
account_save(acct)
return remember(K.op, op.ttl, {
  OK,
  {
    'charged', used - uncharged,
    'uncharged', uncharged,
    'amounts', amounts,
    'remaining', resv_units(r),
    'moneyAvailable', acct.buckets.money.avail,
  },
})
