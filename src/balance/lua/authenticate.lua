--[[
  authenticate: the patent's authenticate interface (DESIGN §2), for CCR-I and CCR-E. Read-only.

  KEYS[1]  acct:{m}
  KEYS[2]  bundles:{m}   the bundles held (src/bundles/keys.ts), returned for rating
  ARGV[1]  nowMs

  Returns
    {0, {'status', s, 'prepaid', 0|1, 'tariff', t, 'currency', c, 'available', money available,
         'reserved', money reserved, 'validUntil', epoch s (0: none), 'minThreshold', n,
         'bundles', {field, value, ...} of KEYS[2]}}
    A postpaid account (prepaid 0) passes with prepaid 0: credit control does not apply (4011);
    its status and validity are still checked, its balance is not.
  Refusals {code, detail}
    -1 ACCOUNT_NOT_FOUND   -2 ACCOUNT_BLOCKED   -3 ACCOUNT_LOST   -4 ACCOUNT_EXPIRED
    -5 BELOW_MIN_THRESHOLD (prepaid money below the account's minimum threshold)
    -9 INVALID_ARGUMENT
]]
--- @include "account"

local now = parse_uint(ARGV[1])
if not now then
  return refuse(INVALID_ARGUMENT, 'nowMs: a non-negative integer')
end
local acct = account_load(KEYS[1], true, false)
local code = account_check(acct, now)
if code ~= OK then
  return refuse(code)
end
local money = acct.money
return {
  OK,
  {
    'status', acct.status,
    'prepaid', acct.prepaid and 1 or 0,
    'tariff', acct.tariff,
    'currency', acct.currency,
    'available', money[AV],
    'reserved', money[RS],
    'validUntil', acct.validUntil,
    'minThreshold', acct.minThreshold,
    'bundles', redis.call('HGETALL', KEYS[2]),
  },
}
