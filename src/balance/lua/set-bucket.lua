--[[
  set-bucket: set the available part of a bucket to a value (operator adjustment). Reserved and
  spent are kept; the ledger entry carries the difference.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  bucket   ARGV[6] available (>= 0)

  Returns  {0, {'bucket', b, 'before', available before, 'available', available after}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -9 INVALID_ARGUMENT (also when the bucket would pass 999999999999999; not remembered)
  A replayed opId returns the first result and changes nothing.
]]
--- @include "args"
--- @include "idempotency"
--- @include "account"
--- @include "ledger"

local opId, now, ttl, maxlen = parse_op(ARGV)
if not opId then
  return refuse(INVALID_ARGUMENT, now)
end
local seen = replay(KEYS[3])
if seen then
  return seen
end
local name, value = ARGV[5], parse_uint(ARGV[6])
if not valid_bucket(name) then
  return refuse(INVALID_ARGUMENT, 'bucket: 1 to 64 of letters, digits, _ . : -')
end
if not value then
  return refuse(INVALID_ARGUMENT, 'available: a non-negative integer')
end
local acct = account_load(KEYS[1], false, true, { { name } })
if not acct then
  return remember(KEYS[3], ttl, refuse(ACCOUNT_NOT_FOUND))
end
local b = bucket(acct, name)
if value + b[RS] + b[SP] > MAX_AMOUNT then
  return refuse(INVALID_ARGUMENT, 'available: the bucket would pass ' .. istr(MAX_AMOUNT))
end
local before = b[AV]
change(acct, name, value - before, 0, 0)
ledger_flush(acct, KEYS[2], maxlen, now, opId, 'set', nil, nil, false)
account_save(acct)
return remember(KEYS[3], ttl, {
  OK,
  { 'bucket', name, 'before', before, 'available', b[AV] },
})
