--[[
  settle: one call per CCR-U / CCR-T (PERFORMANCE.md: one script call per CCR): deduct the used
  units from the (session, rating group)'s reservation, return what it still holds, and, when
  units are asked for, apply a new grant from fresh tiers. One opId covers all three steps; the
  ledger gets one entry per step that changed something (deduct, return, apply).

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] resvexp:{m}   KEYS[4] ledger:{m}
  KEYS[5]  op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId   ARGV[6] ratingGroup
  ARGV[7]  used          service units used since the last grant (0 when none)
  ARGV[8]  overuse       'charge-available' | 'refuse', as in deduct
  ARGV[9]  units         service units asked for the new grant; 0: no new grant (CCR-T)
  ARGV[10] expiresAtMs   of the new grant (ignored when units is 0)
  ARGV[11] tierCount, then per tier: bucket, unitSize, pricePerUnit, maxUnits ('' none);
           only when units > 0

  Returns
    {0, {'settled', 0|1 (a reservation was there), 'charged', n, 'uncharged', n,
         'amounts', {bucket, amount, ...}, 'returned', {bucket, amount, ...},
         'releasedExpiresAtMs', expiry of the settled reservation or 0,
         'granted', n, 'final', 0|1, 'creditLimitReached', 0|1, 'expiresAtMs', t or 0,
         'tiers', {bucket, units, amount, ...}, 'moneyAvailable', a}}
    When the new grant finds nothing affordable the call still succeeds (the usage was charged):
    granted 0, final 1, creditLimitReached 1.
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -7 RESERVATION_NOT_FOUND (used > 0 but no reservation to charge it to)
    -9 INVALID_ARGUMENT (not remembered)
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
local used, overuse, units, expires = parse_uint(ARGV[7]), ARGV[8], parse_uint(ARGV[9]), parse_uint(ARGV[10])
if not used then
  return refuse(INVALID_ARGUMENT, 'used: a non-negative integer')
end
if overuse ~= 'charge-available' and overuse ~= 'refuse' then
  return refuse(INVALID_ARGUMENT, "overuse: 'charge-available' or 'refuse'")
end
if not units then
  return refuse(INVALID_ARGUMENT, 'units: a non-negative integer')
end
if not expires then
  return refuse(INVALID_ARGUMENT, 'expiresAtMs: a non-negative integer')
end
local tiers = {}
if units > 0 then
  local terr
  tiers, terr = parse_tiers(ARGV, 11)
  if not tiers then
    return refuse(INVALID_ARGUMENT, terr)
  end
end

local r = resv_load(K, op.rid)
local names = tier_buckets(tiers)
if r then
  tier_buckets(r.tiers, names)
end
local acct = account_load(K.acct, names)
if not acct then
  return remember(K.op, op.ttl, refuse(ACCOUNT_NOT_FOUND))
end
if not r and used > 0 then
  return remember(K.op, op.ttl, refuse(RESERVATION_NOT_FOUND, op.rid))
end

local L = { key = K.ledger, maxlen = op.maxlen, now = op.now, opId = op.id }
local uncharged, amounts, returned, released = 0, {}, {}, 0
if r then
  uncharged = deduct_usage(acct, r, used, overuse)
  amounts = step_amounts(acct, 3, 1)
  ledger_flush(acct, L, 'deduct', op.session, op.rg,
    { 'used', istr(used), 'uncharged', istr(uncharged) }, uncharged > 0)
  unfreeze(acct, r)
  returned = step_amounts(acct, 1, 1)
  ledger_flush(acct, L, 'return', op.session, op.rg)
  released = r.expires
end

local granted, final, limit = 0, 0, 0
if units > 0 then
  granted = freeze(acct, tiers, units)
  if granted == 0 then
    final, limit = 1, 1
  else
    final = can_pay_more(acct, tiers) and 0 or 1
    ledger_flush(acct, L, 'apply', op.session, op.rg, { 'granted', istr(granted) })
  end
end
if granted > 0 then
  resv_save(K, op.rid, { expires = expires, tiers = tiers })
elseif r then
  resv_delete(K, op.rid)
end
account_save(acct)
return remember(K.op, op.ttl, {
  OK,
  {
    'settled', r and 1 or 0,
    'charged', used - uncharged,
    'uncharged', uncharged,
    'amounts', amounts,
    'returned', returned,
    'releasedExpiresAtMs', released,
    'granted', granted,
    'final', final,
    'creditLimitReached', limit,
    'expiresAtMs', granted > 0 and expires or 0,
    'tiers', tier_holds(tiers),
    'moneyAvailable', acct.buckets.money.avail,
  },
})
