-- Idempotency: the first result of an operation is kept under op:{m}:<opId> (with a TTL) and a
-- replay returns it as it was, byte for byte, writing nothing else. cmsgpack keeps integers
-- exact and nested arrays as they were.

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
