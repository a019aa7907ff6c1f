--[[
  reset-free-credits: the monthly reset of free credits (DESIGN §3: free levels reset at each
  monthly run). Each bucket gets the period's allowance; what sessions hold frozen at that moment
  counts against it (available = max(0, allowance - reserved)), so a month never yields more
  than its allowance. A bucket already reset for this period or a later one is skipped, which
  makes a second run for the same period change nothing. Money cannot be reset.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}
  ARGV[1]  nowMs   ARGV[2] ledgerMaxLen   ARGV[3] period 'YYYY-MM'
  ARGV[4]  bucketCount (1..64), then per bucket: name, allowance

  Returns  {0, {'reset', {bucket, ...}, 'skipped', {bucket, ...}}}
    The reset buckets' field period:<bucket> holds the period; one ledger entry (op reset,
    opId 'reset:<period>') covers them.
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND   -9 INVALID_ARGUMENT
]]
--- @include "args"
--- @include "account"
--- @include "ledger"

local now, maxlen = parse_clock(ARGV)
local period, count = ARGV[3], parse_uint(ARGV[4])
if not now then
  return refuse(INVALID_ARGUMENT, maxlen)
end
if type(period) ~= 'string' or not string.find(period, '^%d%d%d%d%-%d%d$') then
  return refuse(INVALID_ARGUMENT, "period: 'YYYY-MM'")
end
local month = tonumber(string.sub(period, 6, 7))
if month < 1 or month > 12 then
  return refuse(INVALID_ARGUMENT, "period: 'YYYY-MM'")
end
if not count or count < 1 or count > 64 then
  return refuse(INVALID_ARGUMENT, 'buckets: 1 to 64')
end
local names, amounts, wanted = {}, {}, {}
for i = 1, count do
  local name, amount = ARGV[3 + i * 2], parse_uint(ARGV[4 + i * 2])
  if not valid_bucket(name) or name == 'money' then
    return refuse(INVALID_ARGUMENT, 'buckets[' .. (i - 1) .. ']: a bucket name other than money')
  end
  if not amount then
    return refuse(INVALID_ARGUMENT, 'buckets[' .. (i - 1) .. ']: a non-negative integer allowance')
  end
  names[i], amounts[i], wanted[i] = name, amount, { name }
end

local acct = account_load(KEYS[1], false, true, wanted)
if not acct then
  return refuse(ACCOUNT_NOT_FOUND)
end
local fields = {}
for i, name in ipairs(names) do
  fields[i] = 'period:' .. name
end
local periods = redis.call('HMGET', KEYS[1], unpack(fields))
local reset, skipped, marks = {}, {}, { 'HSET', KEYS[1] }
for i, name in ipairs(names) do
  local last = periods[i]
  if last and last >= period then
    skipped[#skipped + 1] = name
  else
    local b = bucket(acct, name)
    if amounts[i] + b[SP] > MAX_AMOUNT then
      return refuse(INVALID_ARGUMENT, 'buckets[' .. (i - 1) .. ']: the bucket would pass ' .. istr(MAX_AMOUNT))
    end
    change(acct, name, math.max(0, amounts[i] - b[RS]) - b[AV], 0, 0)
    reset[#reset + 1] = name
    marks[#marks + 1] = fields[i]
    marks[#marks + 1] = period
  end
end
if #reset > 0 then
  ledger_flush(acct, KEYS[2], maxlen, now, 'reset:' .. period, 'reset', nil, nil, true, '|period=' .. period)
  account_save(acct)
  redis.call(unpack(marks))
end
return { OK, { 'reset', reset, 'skipped', skipped } }
