--[[
  apply: the patent's fee-applying interface (DESIGN §2): freeze whole units for one
  (session, rating group), walking the tiers in order, as far as the account can pay. For CCR-I,
  optionally with the authenticate checks in the same call.

  KEYS[1]  acct:{m}           account hash
  KEYS[2]  resv:{m}           reservations hash
  KEYS[3]  resvexp:{m}        reservation id -> expiry (ms)
  KEYS[4]  ledger:{m}         ledger stream
  KEYS[5]  op:{m}:<opId>      first result of this operation
  ARGV[1]  opId
  ARGV[2]  nowMs
  ARGV[3]  opTtlSeconds
  ARGV[4]  ledgerMaxLen
  ARGV[5]  sessionId
  ARGV[6]  ratingGroup
  ARGV[7]  units              service units asked for, > 0
  ARGV[8]  expiresAtMs        after this the sweeper gives the reservation back
  ARGV[9]  authenticate       '1': run the authenticate checks first
  ARGV[10] tierCount (1..16), then per tier: bucket, unitSize, pricePerUnit, maxUnits ('' none)

  Returns
    {0, {'granted', service units, 'final', 0|1, 'expiresAtMs', t,
         'tiers', {bucket, units, amount, ...}, 'moneyAvailable', a}}
    granted may exceed units by less than one unit (whole units only); final is 1 when no tier
    can pay for one more unit after this grant.
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -2 ACCOUNT_BLOCKED, -3 ACCOUNT_LOST, -4 ACCOUNT_EXPIRED, -5 BELOW_MIN_THRESHOLD,
    -10 ACCOUNT_POSTPAID   (only with authenticate)
    -11 RESERVATION_EXISTS (settle the existing one instead)
    -6 CREDIT_LIMIT_REACHED (not one unit affordable)
    -9 INVALID_ARGUMENT    (the only refusal that is not remembered under the opId)
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
local units, expires = parse_uint(ARGV[7]), parse_uint(ARGV[8])
if not units or units < 1 then
  return refuse(INVALID_ARGUMENT, 'units: a positive integer')
end
if not expires then
  return refuse(INVALID_ARGUMENT, 'expiresAtMs: a non-negative integer')
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
if redis.call('HEXISTS', K.resv, op.rid) == 1 then
  return remember(K.op, op.ttl, refuse(RESERVATION_EXISTS, op.rid))
end

local granted = freeze(acct, tiers, units)
if granted == 0 then
  return remember(K.op, op.ttl, refuse(CREDIT_LIMIT_REACHED))
end
local final = can_pay_more(acct, tiers) and 0 or 1
resv_save(K, op.rid, { expires = expires, tiers = tiers })
local L = { key = K.ledger, maxlen = op.maxlen, now = op.now, opId = op.id }
ledger_flush(acct, L, 'apply', op.session, op.rg, { 'granted', istr(granted) })
account_save(acct)
return remember(K.op, op.ttl, {
  OK,
  {
    'granted', granted,
    'final', final,
    'expiresAtMs', expires,
    'tiers', tier_holds(tiers),
    'moneyAvailable', acct.buckets.money.avail,
  },
})
