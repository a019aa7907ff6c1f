--[[
  upsert-account: provisioning (DESIGN §6). Creates the account with its attributes and opening
  balances, or on an existing account updates the attributes only: balances, reservations and
  spent amounts of an existing account are never touched (use topup / set-bucket for those),
  so loading the same provisioning document twice is harmless.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}
  ARGV[1]  nowMs   ARGV[2] ledgerMaxLen
  ARGV[3]  status 'active' | 'blocked' | 'lost'
  ARGV[4]  validUntil (epoch s, 0: none)   ARGV[5] minThreshold   ARGV[6] prepaid '0' | '1'
  ARGV[7]  tariff   ARGV[8] currency
  ARGV[9]  bucketCount (0..64), then per bucket: name, opening available amount

  Returns  {0, {'created', 0|1}}
    On creation one ledger entry (op set, opId 'provision') records the opening balances.
  Refusals {code, detail}
    -9 INVALID_ARGUMENT
]]
--- @include "args"
--- @include "account"
--- @include "ledger"

local now, maxlen = parse_clock(ARGV)
local status, valid, threshold, prepaid = ARGV[3], parse_uint(ARGV[4]), parse_uint(ARGV[5]), ARGV[6]
local tariff, currency, count = ARGV[7], ARGV[8], parse_uint(ARGV[9])
if not now then
  return refuse(INVALID_ARGUMENT, maxlen)
end
if status ~= 'active' and status ~= 'blocked' and status ~= 'lost' then
  return refuse(INVALID_ARGUMENT, "status: 'active', 'blocked' or 'lost'")
end
if not valid then
  return refuse(INVALID_ARGUMENT, 'validUntil: epoch seconds, 0 for none')
end
if not threshold then
  return refuse(INVALID_ARGUMENT, 'minThreshold: a non-negative integer')
end
if prepaid ~= '0' and prepaid ~= '1' then
  return refuse(INVALID_ARGUMENT, "prepaid: '0' or '1'")
end
if type(tariff) ~= 'string' or #tariff > 128 or type(currency) ~= 'string' or #currency > 16 then
  return refuse(INVALID_ARGUMENT, 'tariff: at most 128 characters, currency: at most 16')
end
if not count or count > 64 then
  return refuse(INVALID_ARGUMENT, 'buckets: 0 to 64')
end
local names, amounts, wanted = {}, {}, {}
for i = 1, count do
  local name, amount = ARGV[8 + i * 2], parse_uint(ARGV[9 + i * 2])
  if not valid_bucket(name) then
    return refuse(INVALID_ARGUMENT, 'buckets[' .. (i - 1) .. ']: 1 to 64 of letters, digits, _ . : -')
  end
  if not amount then
    return refuse(INVALID_ARGUMENT, 'buckets[' .. (i - 1) .. ']: a non-negative integer amount')
  end
  names[i], amounts[i], wanted[i] = name, amount, { name }
end

local created = redis.call('EXISTS', KEYS[1]) == 0
redis.call('HSET', KEYS[1], 'status', status, 'validUntil', istr(valid), 'minThreshold', istr(threshold),
  'prepaid', prepaid, 'tariff', tariff, 'currency', currency)
if created then
  local acct = account_load(KEYS[1], false, true, wanted)
  for i, name in ipairs(names) do
    change(acct, name, amounts[i], 0, 0)
  end
  ledger_flush(acct, KEYS[2], maxlen, now, 'provision', 'set', nil, nil, false)
  account_save(acct)
end
return { OK, { 'created', created and 1 or 0 } }
