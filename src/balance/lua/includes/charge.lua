--- @include "integers"
--- @include "codes"
--- @include "account"

-- A charge that may be refunded by reference (TS 32.299 §7.2.171 Refund-Information): the
-- answer to a direct debit carries an opaque reference, and a later REFUND_ACCOUNT that carries
-- it back may credit no more than the charge took. The reference is only a key: what was
-- charged is kept here, in the account's slot, so a client cannot name a larger amount.
--
-- Hash charge:{m}:<reference>: charged (money moved to spent by the debit, minor units) and
-- refunded (credited since against it). It expires a set time after the debit; HINCRBY keeps
-- that time.

-- A reference: 32 lowercase hex digits (src/balance/charge-reference.ts makes them).
local function valid_reference(s)
  return s ~= nil and #s == 32 and string.find(s, '^[0-9a-f]+$') ~= nil
end

-- The reference and how long to keep the charge, from argv[i] and argv[i + 1], checked against
-- the key the call passed for it; or nil and the error.
local function parse_charge(argv, i, key)
  local ref, keep = argv[i], argv[i + 1]
  if not valid_reference(ref) then
    return nil, 'charge reference: 32 lowercase hex digits'
  end
  if string.sub(key, -33) ~= ':' .. ref then
    return nil, 'charge key: must end with the reference'
  end
  if not is_uint(keep) or keep == '0' then
    return nil, 'keepSeconds: a positive integer'
  end
  return ref, keep
end

-- Keeps the money the call moved to spent (the money bucket's spent since it was loaded) as
-- the charge under `key`, for `keep` seconds.
local function charge_keep(key, acct, keep)
  local m = acct.money
  redis.call('HSET', key, 'charged', istr(m[SP] - m[SP + LOADED]), 'refunded', '0')
  redis.call('EXPIRE', key, keep)
end

-- What may still be refunded against the charge under `key`, or nil when there is none.
local function charge_refundable(key)
  local v = redis.call('HMGET', key, 'charged', 'refunded')
  if not v[1] then
    return nil
  end
  return tonumber(v[1]) - (tonumber(v[2]) or 0)
end

local function charge_refunded(key, amount)
  redis.call('HINCRBY', key, 'refunded', istr(amount))
end
