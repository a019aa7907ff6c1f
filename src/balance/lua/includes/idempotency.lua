--- @include "codes"

-- Idempotency: the first result of an operation is kept under op:{m}:<opId> (with a TTL) and a
-- replay returns it as it was, byte for byte, writing nothing else. cmsgpack keeps integers
-- exact and nested arrays as they were. (Keeping only the values of a success, without their
-- names, would pack in two thirds of the time, 4,000 to 9,000 instructions less; but a server
-- of the version before, during a rolling deploy, could not replay it.)

-- An empty list, for replies and tiers that have nothing.
local NONE = {}

-- {OK, {name, value, ...}} of the values a session record kept (session-write.lua).
local function named_reply(values, names)
  local fields = {}
  for i = 1, #names do
    fields[2 * i - 1] = names[i]
    fields[2 * i] = values[i]
  end
  return { OK, fields }
end

-- The first result kept under `key`, or nil. A call that wrote a session record kept its result
-- there, and it comes here as the values of its fields once the record is replaced
-- (session-write.lua): `names` names them, in order.
-- The same, of what GET read under that key (false: nothing).
local function replay_of(stored, names)
  if not stored then
    return nil
  end
  if names and string.byte(stored, 1) == 91 then
    return named_reply(cjson.decode(stored), names)
  end
  return cmsgpack.unpack(stored)
end

local function replay(key, names)
  return replay_of(redis.call('GET', key), names)
end

local function remember(key, ttl, reply)
  redis.call('SET', key, cmsgpack.pack(reply), 'EX', ttl)
  return reply
end
