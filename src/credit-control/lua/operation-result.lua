--[[
  operation-result: the first result of a balance operation, as its replay would return it
  (src/balance/lua/includes/idempotency.lua keeps it packed with cmsgpack), without running it.
  A session record written by its request's charging call lacks that call's result
  (src/credit-control/session-pending.ts reads it here).

  KEYS[1]  op:{m}:<opId>
  Returns the result, or false when none is kept; as the JSON text of its values when it was
  kept in a session record first (includes/session-write.lua): the caller knows their names.
]]
local stored = redis.call('GET', KEYS[1])
if not stored then
  return false
end
if string.byte(stored, 1) == 91 then
  return stored
end
return cmsgpack.unpack(stored)
