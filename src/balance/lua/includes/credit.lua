--- @include "args"
--- @include "idempotency"
--- @include "account"
--- @include "ledger"

-- topup and refund: add to the available part of one bucket. These are the only operations that
-- change available + reserved + spent of money (DESIGN §2); spent is kept as it was.
--   ARGV[1..4] opId, nowMs, opTtlSeconds, ledgerMaxLen
--   ARGV[5] bucket   ARGV[6] amount (> 0)   ARGV[7] reference ('' none)   ARGV[8] sessionId ('' none)
local function credit(kind)
  local K = { acct = KEYS[1], ledger = KEYS[2], op = KEYS[3] }
  local op, err = parse_op(ARGV)
  if not op then
    return refuse(INVALID_ARGUMENT, err)
  end
  local seen = replay(K.op)
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
  local acct = account_load(K.acct, { name })
  if not acct then
    return remember(K.op, op.ttl, refuse(ACCOUNT_NOT_FOUND))
  end
  local b = acct.buckets[name]
  if b.avail + b.resv + b.spent + amount > MAX_AMOUNT then
    return refuse(INVALID_ARGUMENT, 'amount: the bucket would pass ' .. istr(MAX_AMOUNT))
  end
  change(acct, name, amount, 0, 0)
  local L = { key = K.ledger, maxlen = op.maxlen, now = op.now, opId = op.id }
  ledger_flush(acct, L, kind, session, nil, { 'ref', ref })
  account_save(acct)
  return remember(K.op, op.ttl, { OK, { 'bucket', name, 'available', b.avail } })
end
