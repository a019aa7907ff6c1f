--- @include "codes"

-- Idempotency: the first result of an operation is kept under op:{m}:<opId> (with a TTL) and a
-- replay returns it as it was, byte for byte, writing nothing else. cmsgpack keeps integers
-- exact and nested arrays as they were. A success is kept as its values only, { OK, v1, v2, ...
-- } (the names are the script's, `names`), which packs in two thirds of the time; a refusal as
-- it is, { code, detail }. (A success kept whole, { OK, { name, value, ... } }, by an earlier
-- version, has two elements and is returned as it is.)

-- The names of each script's success fields, in order (a replay puts them back).
local APPLY_REPLY = { 'granted', 'final', 'expiresAtMs', 'tiers', 'moneyAvailable' }
local SETTLE_REPLY = {
  'settled', 'charged', 'uncharged', 'amounts', 'returned', 'releasedExpiresAtMs',
  'granted', 'final', 'creditLimitReached', 'expiresAtMs', 'tiers', 'moneyAvailable',
}
local DEDUCT_REPLY = { 'charged', 'uncharged', 'amounts', 'remaining', 'moneyAvailable' }
local RELEASE_REPLY = { 'returned', 'expiresAtMs', 'moneyAvailable' }
local DEBIT_REPLY = { 'charged', 'uncharged', 'amounts', 'moneyAvailable' }
local CREDIT_REPLY = { 'bucket', 'available' }
local SET_REPLY = { 'bucket', 'before', 'available' }

-- An empty list, for replies and tiers that have nothing.
local NONE = {}

-- {OK, {names[1], v[2], names[2], v[3], ...}}: a replayed success
local function answer(names, v)
  local fields = {}
  for i = 1, #names do
    fields[i * 2 - 1], fields[i * 2] = names[i], v[i + 1]
  end
  return { OK, fields }
end

local function replay(key, names)
  local stored = redis.call('GET', key)
  if not stored then
    return nil
  end
  local v = cmsgpack.unpack(stored)
  if v[1] == OK and #v > 2 then
    return answer(names, v)
  end
  return v
end

-- Keeps a refusal and returns it.
local function remember(key, ttl, reply)
  redis.call('SET', key, cmsgpack.pack(reply), 'EX', ttl)
  return reply
end

-- Keeps a success by its values, { OK, values... }, and returns `reply`, the same with names.
local function remember_ok(key, ttl, values, reply)
  redis.call('SET', key, cmsgpack.pack(values), 'EX', ttl)
  return reply
end
