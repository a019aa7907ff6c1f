--[[
  commit: after the file holding an account's entries is synced, the account's cursor moves to
  the last of them, and the entries that are both exported and older than the window kept in
  Redis are trimmed (XTRIM MINID, exactly: a stream never loses an entry not exported). Called
  with the cursor as it is to trim only. Keys of one account: one slot.

  KEYS[1]  export:{m}   the cursors (hash: kind -> last exported stream id)
  KEYS[2]  <kind>:{m}   the stream
  ARGV[1]  kind   ARGV[2] the last id exported ('' : the cursor stays)   ARGV[3] keep from (ms)
  Returns {cursor, entries trimmed}.
]]
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end

local cursor = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  local ms, seq = parse(ARGV[2])
  if not ms then
    return redis.error_reply('commit: bad stream id ' .. ARGV[2])
  end
  local cms, cseq = 0, 0
  if cursor then
    cms, cseq = parse(cursor)
  end
  if ms > cms or (ms == cms and seq > cseq) then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    cursor = ARGV[2]
  end
end
if not cursor then
  return { false, 0 }
end
local cms, cseq = parse(cursor)
local keep = tonumber(ARGV[3])
local minid
if cms < keep then
  minid = string.format('%d-%d', cms, cseq + 1)
else
  minid = string.format('%d-0', keep)
end
return { cursor, redis.call('XTRIM', KEYS[2], 'MINID', minid) }
