--[[
  session-unsupervise: takes a session off Tcc supervision once supervision found it closed or
  its record gone, only while the record is still as it was read. A CCR-I reusing the Session-Id
  in between writes a new record and entry, and the reservation it makes counts on that entry
  (includes/session-write.lua of the balance scripts, 'supervise'): the entry then stays.

  KEYS[1]  sess:{m}:<sessionId>   the record
  KEYS[2]  sess-supervision
  ARGV[1]  the record as read ('' : it was gone)
  ARGV[2]  the member '<m>|<sessionId>'

  Returns 1 when the entry was removed, 0 when it was not there or the record has changed.
]]
local stored = redis.call('GET', KEYS[1]) or ''
if stored ~= ARGV[1] then
  return 0
end
return redis.call('ZREM', KEYS[2], ARGV[2])
