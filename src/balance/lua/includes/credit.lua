--- @include "args"
--- @include "idempotency"
--- @include "account"
--- @include "ledger"
--- @include "charge"

-- topup and refund: add to the available part of one bucket. These are the only operations that
-- change available + reserved + spent of money (DESIGN §2); spent is kept as it was.
--   ARGV[1..4] opId, nowMs, opTtlSeconds, ledgerMaxLen
--   ARGV[5] bucket   ARGV[6] amount (> 0)   ARGV[7] reference ('' none)   ARGV[8] sessionId ('' none)
-- With `charge_key` (refund-charge), ARGV[7] is the charge's reference, and the credit is money
-- only, no more than what may still be refunded against the charge (includes/charge.lua), and
-- counted against it in the same step.
local function credit(kind, KEYS, ARGV, charge_key)
  local opId, now, ttl, maxlen = parse_op(ARGV)
  if not opId then
    return refuse(INVALID_ARGUMENT, now)
  end
  local seen = replay(KEYS[3])
  if seen then
    return seen
  end
  local name, amount, ref, session = ARGV[5], parse_uint(ARGV[6]), ARGV[7] or '', ARGV[8] or ''
  if not valid_bucket(name) then
    return refuse(INVALID_ARGUMENT, 'bucket: 1 to 64 of letters, digits, _ . : -')
  end
  if not amount or amount < 1 then
    return refuse(INVALID_ARGUMENT, 'amount: a positive integer')
  end
  if charge_key then
    if name ~= 'money' then
      return refuse(INVALID_ARGUMENT, "bucket: a charge is refunded in 'money'")
    end
    if not valid_reference(ref) or string.sub(charge_key, -33) ~= ':' .. ref then
      return refuse(INVALID_ARGUMENT, 'reference: the charge reference, the end of its key')
    end
  end
  local acct = account_load(KEYS[1], false, true, { { name } })
  if not acct then
    return remember(KEYS[3], ttl, refuse(ACCOUNT_NOT_FOUND))
  end
  local refundable
  if charge_key then
    refundable = charge_refundable(charge_key)
    if not refundable then
      return remember(KEYS[3], ttl, refuse(CHARGE_UNKNOWN, ref))
    end
    if amount > refundable then
      return remember(KEYS[3], ttl, refuse(REFUND_ABOVE_CHARGE, istr(refundable) .. ' left to refund'))
    end
  end
  local b = bucket(acct, name)
  if b[AV] + b[RS] + b[SP] + amount > MAX_AMOUNT then
    return refuse(INVALID_ARGUMENT, 'amount: the bucket would pass ' .. istr(MAX_AMOUNT))
  end
  change(acct, name, amount, 0, 0)
  ledger_flush(acct, KEYS[2], maxlen, now, opId, kind, session, nil, false, nil, ref)
  account_save(acct)
  if charge_key then
    charge_refunded(charge_key, amount)
    return remember(KEYS[3], ttl, {
      OK,
      { 'bucket', name, 'available', b[AV], 'refundable', refundable - amount },
    })
  end
  return remember(KEYS[3], ttl, { OK, { 'bucket', name, 'available', b[AV] } })
end
