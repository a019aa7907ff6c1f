--- @include "codes"

-- Idempotency: the first result of an operation is kept under op:{m}:<opId> (with a TTL) and a
-- replay returns it as it was, byte for byte, writing nothing else. cmsgpack keeps integers
-- exact and nested arrays as they were. (Keeping only the values of a success, without their
-- names, would pack in two thirds of the time, 4,000 to 9,000 instructions less; but a server
-- of the version before, during a rolling deploy, could not replay it.)

-- An empty list, for replies and tiers that have nothing.
local NONE = {}

local function replay(key)
  local stored = redis.call('GET', key)
  if stored then
    return cmsgpack.unpack(stored)
  end
  return nil
end

local function remember(key, ttl, reply)
  redis.call('SET', key, cmsgpack.pack(reply), 'EX', ttl)
  return reply
end
