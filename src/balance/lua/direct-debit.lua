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
  then     deadlineMs     of the request, ms since the epoch ('0' or absent: none): refused when
                          Redis's clock is past it (includes/deadline.lua)

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
    -13 DEADLINE_PASSED (not remembered: a retransmission with a new deadline may run)
  A replayed opId returns the first result and changes nothing, whatever its deadline.
]]
--- @include "args"
--- @include "idempotency"
--- @include "tiers"
--- @include "ledger"
--- @include "deadline"

local opId, now, ttl, maxlen = parse_op(ARGV)
if not opId then
  return refuse(INVALID_ARGUMENT, now)
end
local seen = replay(KEYS[3])
if seen then
  return seen
end
local session, rg = ARGV[5], nil
if not session or #session > 512 then
  return refuse(INVALID_ARGUMENT, 'sessionId: at most 512 characters')
end
if ARGV[6] ~= '' then
  rg = ARGV[6]
  if not is_uint(rg) or #rg > 10 or (#rg == 10 and rg > '4294967295') then
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
local deadline, derr = parse_deadline(ARGV, terr)
if not deadline then
  return refuse(INVALID_ARGUMENT, derr)
end
local late = ms_past_deadline(deadline)
if late > 0 then
  return refuse(DEADLINE_PASSED, istr(late) .. ' ms late')
end

local authenticate = ARGV[9] == '1'
local acct = account_load(KEYS[1], authenticate, true, tiers)
if not acct then
  return remember(KEYS[3], ttl, refuse(ACCOUNT_NOT_FOUND))
end
if authenticate then
  local code = account_check(acct, tonumber(now))
  if code == OK and not acct.prepaid then
    code = ACCOUNT_POSTPAID
  end
  if code ~= OK then
    return remember(KEYS[3], ttl, refuse(code))
  end
end

local uncharged = charge_available(acct, tiers, units, true, true)
if uncharged > 0 and partial == '0' then
  return remember(KEYS[3], ttl, refuse(INSUFFICIENT_FUNDS))
end
if uncharged == units then
  return remember(KEYS[3], ttl, refuse(CREDIT_LIMIT_REACHED))
end
local amounts = step_amounts(acct, SP)
ledger_flush(acct, KEYS[2], maxlen, now, opId, 'debit', session, rg, true,
  '|used=' .. ARGV[7] .. '|uncharged=' .. istr(uncharged))
account_save(acct)
local charged, money = units - uncharged, acct.money[AV]
return remember(KEYS[3], ttl, {
  OK,
  { 'charged', charged, 'uncharged', uncharged, 'amounts', amounts, 'moneyAvailable', money },
})
