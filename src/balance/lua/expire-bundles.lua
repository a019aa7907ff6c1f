--[[
  expire-bundles: clears the account's bundles whose end has come (DESIGN §3, Bundles). Their
  units were unusable from the end on already (includes/account.lua spendable); here what was
  left of them is written off in one ledger entry (op bundle-expire) and their buckets' fields
  and terms are deleted, so that an account's hash does not grow month after month. A bundle
  from which a session still holds units frozen is kept until that reservation is settled or
  expired.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] bundles:{m}
  ARGV[1]  nowMs   ARGV[2] ledgerMaxLen

  Returns
    {0, {'expired', {bucket, units written off, ...}, 'held', {bucket, ...}}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND   -9 INVALID_ARGUMENT
]]
--- @include "args"
--- @include "idempotency"
--- @include "account"
--- @include "ledger"

local now, maxlen = parse_clock(ARGV)
if not now then
  return refuse(INVALID_ARGUMENT, maxlen)
end
local at = tonumber(now)
local due = {}
for _, name in ipairs(redis.call('HKEYS', KEYS[3])) do
  if valid_bucket(name) then
    local ends = bucket_end(bucket_fields(name))
    if ends and ends <= at then
      due[#due + 1] = { name }
    end
  end
end
if #due == 0 then
  return { OK, { 'expired', NONE, 'held', NONE } }
end
local acct = account_load(KEYS[1], false, true, due)
if not acct then
  return refuse(ACCOUNT_NOT_FOUND)
end
local expired, held, gone = {}, {}, {}
for _, t in ipairs(due) do
  local name = t[1]
  local b = bucket(acct, name)
  if b[RS] > 0 then
    held[#held + 1] = name
  else
    expired[#expired + 1] = name
    expired[#expired + 1] = b[AV]
    change(acct, name, -b[AV], 0, 0)
    local f = bucket_fields(name)
    gone[#gone + 1] = f[1]
    gone[#gone + 1] = f[2]
    gone[#gone + 1] = f[3]
  end
end
if #gone > 0 then
  ledger_flush(acct, KEYS[2], maxlen, now, 'bundle-expire:' .. now, 'bundle-expire', nil, nil, false)
  account_save(acct)
  redis.call('HDEL', KEYS[1], unpack(gone))
  for i = 1, #expired, 2 do
    redis.call('HDEL', KEYS[3], expired[i])
  end
end
return { OK, { 'expired', expired, 'held', held } }
