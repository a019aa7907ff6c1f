--[[
  add-bundle: an account buys a bundle (DESIGN §3, Bundles). The fee moves from the available
  part of money to spent and the bundle's units are credited to the bucket that holds them, in
  one call with one ledger entry (op bundle), so that no bundle is given without its fee nor
  paid for without its units. The bucket is named 'bundle:<id>:<end>' and so carries its end
  (includes/args.lua bucket_end); the terms bought are stored under the same name in
  bundles:{m}, where rating and the admin API read them. The same bundle with the same end
  again adds to the same bucket.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>   KEYS[4] bundles:{m}
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  bucket      'bundle:<id>:<end>', <end> (epoch seconds) after nowMs
  ARGV[6]  units       octets, seconds or messages, > 0
  ARGV[7]  fee         minor units of money, >= 0
  ARGV[8]  reference   the buyer's reference ('' none), kept in the ledger entry
  ARGV[9]  terms       the bundle as bought (JSON, src/bundles/model.ts), stored as given
  ARGV[10] renewal     '' or 'YYYY-MM': a calendar-month bundle paid for that month; the month
                       is kept under renew:<id> for the monthly run

  Returns
    {0, {'bucket', b, 'units', units, 'fee', fee, 'available', units now available in the
         bucket, 'moneyAvailable', a}}
  Refusals {code, detail}, nothing changed and nothing remembered, so that the same reference
  can succeed once the account exists or has the money:
    -1 ACCOUNT_NOT_FOUND
    -8 INSUFFICIENT_FUNDS (money above the minimum threshold does not cover the fee)
    -9 INVALID_ARGUMENT
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
local name, units, fee, ref, terms, renewal = ARGV[5], parse_uint(ARGV[6]), parse_uint(ARGV[7]), ARGV[8] or '', ARGV[9], ARGV[10] or ''
local id = valid_bucket(name) and string.match(name, '^bundle:([%w_.%-]+):%d+$')
local ends = id and bucket_end(bucket_fields(name))
if not ends then
  return refuse(INVALID_ARGUMENT, "bucket: 'bundle:<id>:<end>'")
end
if ends <= tonumber(now) then
  return refuse(INVALID_ARGUMENT, 'bucket: its end is not after nowMs')
end
if not units or units < 1 then
  return refuse(INVALID_ARGUMENT, 'units: a positive integer')
end
if not fee then
  return refuse(INVALID_ARGUMENT, 'fee: a non-negative integer')
end
if #ref > 128 or string.find(ref, '[|%s]') then
  return refuse(INVALID_ARGUMENT, "reference: at most 128 characters, no '|' or spaces")
end
if type(terms) ~= 'string' or #terms < 2 or #terms > 4096 then
  return refuse(INVALID_ARGUMENT, 'terms: 2 to 4096 characters of JSON')
end
if renewal ~= '' and not string.find(renewal, '^%d%d%d%d%-%d%d$') then
  return refuse(INVALID_ARGUMENT, "renewal: '' or 'YYYY-MM'")
end

local acct = account_load(KEYS[1], false, true, { { name } })
if not acct then
  return refuse(ACCOUNT_NOT_FOUND)
end
if fee > spendable(acct, 'money', true) then
  return refuse(INSUFFICIENT_FUNDS, istr(fee) .. ' to pay, ' .. istr(spendable(acct, 'money', true)) .. ' above the minimum threshold')
end
local b = bucket(acct, name)
if b[AV] + b[RS] + b[SP] + units > MAX_AMOUNT then
  return refuse(INVALID_ARGUMENT, 'units: the bucket would pass ' .. istr(MAX_AMOUNT))
end
change(acct, 'money', -fee, 0, fee)
change(acct, name, units, 0, 0)
ledger_flush(acct, KEYS[2], maxlen, now, opId, 'bundle', nil, nil, true, '|bundle=' .. id .. '|fee=' .. istr(fee),
  ref ~= '' and ref or nil)
account_save(acct)
redis.call('HSET', KEYS[4], name, terms)
if renewal ~= '' then
  redis.call('HSET', KEYS[4], 'renew:' .. id, renewal)
end
return remember(KEYS[3], ttl, {
  OK,
  { 'bucket', name, 'units', units, 'fee', fee, 'available', b[AV], 'moneyAvailable', acct.money[AV] },
})
