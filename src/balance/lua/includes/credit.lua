--- @include "args"
--- @include "idempotency"
--- @include "account"
--- @include "ledger"

-- topup and refund: add to the available part of one bucket. These are the only operations that
-- change available + reserved + spent of money (DESIGN §2); spent is kept as it was.
--   ARGV[1..4] opId, nowMs, opTtlSeconds, ledgerMaxLen
--   ARGV[5] bucket   ARGV[6] amount (> 0)   ARGV[7] reference ('' none)   ARGV[8] sessionId ('' none)
local function credit(kind, KEYS, ARGV)
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
  local acct = account_load(KEYS[1], false, true, { { name } })
  if not acct then
    return remember(KEYS[3], ttl, refuse(ACCOUNT_NOT_FOUND))
  end
  local b = bucket(acct, name)
  if b[AV] + b[RS] + b[SP] + amount > MAX_AMOUNT then
    return refuse(INVALID_ARGUMENT, 'amount: the bucket would pass ' .. istr(MAX_AMOUNT))
  end
  change(acct, name, amount, 0, 0)
  ledger_flush(acct, KEYS[2], maxlen, now, opId, kind, session, nil, false, nil, ref)
  account_save(acct)
  return remember(KEYS[3], ttl, { OK, { 'bucket', name, 'available', b[AV] } })
end
