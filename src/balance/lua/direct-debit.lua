--[[
  direct-debit: charge now, without a reservation (RFC 4006 §6.3 DIRECT_DEBITING, CCR-E: SMS,
  one-off fees). Walks the tiers in order like apply, moving whole units from available straight
  to spent; money keeps the minimum threshold.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId ('' none)   ARGV[6] ratingGroup ('' none)
  ARGV[7]  units          service units to charge, > 0
  ARGV[8]  partial        '0': all or nothing; '1': charge what can be paid for
  ARGV[9]  authenticate   '1': run the authenticate checks first
  ARGV[10] tierCount (1..16), then per tier: bucket, unitSize, pricePerUnit, maxUnits ('' none)

  Returns
    {0, {'charged', service units paid for, 'uncharged', service units not paid for,
         'amounts', {bucket, amount moved to spent, ...}, 'moneyAvailable', a}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -2 ACCOUNT_BLOCKED, -3 ACCOUNT_LOST, -4 ACCOUNT_EXPIRED, -5 BELOW_MIN_THRESHOLD,
    -10 ACCOUNT_POSTPAID  (only with authenticate)
    -8 INSUFFICIENT_FUNDS (all or nothing, and not all affordable: RFC 4006 answers 4012)
    -6 CREDIT_LIMIT_REACHED (partial, and not one unit affordable)
    -9 INVALID_ARGUMENT (not remembered)
  A replayed opId returns the first result and changes nothing.
]]
--- @include "args"
--- @include "idempotency"
--- @include "tiers"
--- @include "ledger"

local K = { acct = KEYS[1], ledger = KEYS[2], op = KEYS[3] }
local op, err = parse_op(ARGV)
if not op then
  return refuse(INVALID_ARGUMENT, err)
end
local seen = replay(K.op)
if seen then
  return seen
end
local session, rg = ARGV[5], nil
if type(session) ~= 'string' or #session > 512 then
  return refuse(INVALID_ARGUMENT, 'sessionId: at most 512 characters')
end
if ARGV[6] ~= '' then
  rg = parse_uint(ARGV[6])
  if not rg or rg > 4294967295 then
    return refuse(INVALID_ARGUMENT, "ratingGroup: an Unsigned32 or ''")
  end
end
local units, partial = parse_uint(ARGV[7]), ARGV[8]
if not units or units < 1 then
  return refuse(INVALID_ARGUMENT, 'units: a positive integer')
end
if partial ~= '0' and partial ~= '1' then
  return refuse(INVALID_ARGUMENT, "partial: '0' or '1'")
end
local tiers, terr = parse_tiers(ARGV, 10)
if not tiers then
  return refuse(INVALID_ARGUMENT, terr)
end

local acct = account_load(K.acct, tier_buckets(tiers))
if not acct then
  return remember(K.op, op.ttl, refuse(ACCOUNT_NOT_FOUND))
end
if ARGV[9] == '1' then
  local code = account_check(acct, op.now)
  if code == OK and not acct.prepaid then
    code = ACCOUNT_POSTPAID
  end
  if code ~= OK then
    return remember(K.op, op.ttl, refuse(code))
  end
end

local uncharged = charge_available(acct, tiers, units, true, true)
if uncharged > 0 and partial == '0' then
  return remember(K.op, op.ttl, refuse(INSUFFICIENT_FUNDS))
end
if uncharged == units then
  return remember(K.op, op.ttl, refuse(CREDIT_LIMIT_REACHED))
end
local amounts = step_amounts(acct, 3, 1)
local L = { key = K.ledger, maxlen = op.maxlen, now = op.now, opId = op.id }
ledger_flush(acct, L, 'debit', session, rg,
  { 'used', istr(units), 'uncharged', istr(uncharged) }, true)
account_save(acct)
return remember(K.op, op.ttl, {
  OK,
  {
    'charged', units - uncharged,
    'uncharged', uncharged,
    'amounts', amounts,
    'moneyAvailable', acct.buckets.money.avail,
  },
})
