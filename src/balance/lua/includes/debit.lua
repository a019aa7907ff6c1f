--- @include "args"
--- @include "idempotency"
--- @include "tiers"
--- @include "ledger"
--- @include "deadline"
--- @include "charge"

-- direct-debit and refundable-debit: charge now, without a reservation. KEYS[1..3] and ARGV as
-- direct-debit.lua's header lists them; with `charge_key` (refundable-debit), the two ARGV after
-- the deadline name the charge, which is kept under that key in the same step.
local function direct_debit(KEYS, ARGV, charge_key)
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
  local tiers, after_tiers = parse_tiers(ARGV, 10)
  if not tiers then
    return refuse(INVALID_ARGUMENT, after_tiers)
  end
  local deadline, after = parse_deadline(ARGV, after_tiers)
  if not deadline then
    return refuse(INVALID_ARGUMENT, after)
  end
  local ref, keep
  if charge_key then
    ref, keep = parse_charge(ARGV, after, charge_key)
    if not ref then
      return refuse(INVALID_ARGUMENT, keep)
    end
  end
  local late = ms_past_deadline(deadline)
  if late > 0 then
    return refuse(DEADLINE_PASSED, istr(late) .. ' ms late')
  end

  local authenticate = ARGV[9] == '1'
  local acct = account_load(KEYS[1], authenticate and 'serve', true, tiers)
  local checked = charge_check(acct, authenticate, tonumber(now))
  if checked ~= OK then
    return remember(KEYS[3], ttl, refuse(checked))
  end
  acct.now = tonumber(now)

  local uncharged = charge_available(acct, tiers, units, true, true)
  if uncharged > 0 and partial == '0' then
    return remember(KEYS[3], ttl, refuse(INSUFFICIENT_FUNDS))
  end
  if uncharged == units then
    return remember(KEYS[3], ttl, refuse(CREDIT_LIMIT_REACHED))
  end
  local amounts = step_amounts(acct, SP)
  local extra = '|used=' .. ARGV[7] .. '|uncharged=' .. istr(uncharged)
  if ref then
    charge_keep(charge_key, acct, keep)
    extra = extra .. '|charge=' .. ref
  end
  ledger_flush(acct, KEYS[2], maxlen, now, opId, 'debit', session, rg, true, extra)
  account_save(acct)
  local charged, money = units - uncharged, acct.money[AV]
  local fields = { 'charged', charged, 'uncharged', uncharged, 'amounts', amounts, 'moneyAvailable', money }
  if ref then
    fields[9], fields[10] = 'charge', ref
  end
  return remember(KEYS[3], ttl, { OK, fields })
end
