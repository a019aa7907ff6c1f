--[[
  session-save: everything a credit-control request writes about its session, in one call: the
  session record and, as the request needs them, the session's CDR, the Session-Id -> MSISDN
  record and its entry in the Tcc supervision set. A cluster keeps the last two in other slots,
  so there the caller writes them with their own commands and passes only the record and CDR.

  KEYS[1]  sess:{m}:<sessionId>   the record (a string)
  KEYS[2..] one per operation in ARGV, in the same order
  ARGV[1]  the record   ARGV[2] seconds to keep it
  ARGV[3]  the record as the caller read it ('' : no condition): when the stored one is not that
           (another instance was first), nothing is written and the reply is the error STALE
  then per further key, an operation and its arguments:
    'cdr', maxLen, entry          XADD key MAXLEN ~ maxLen * cdr entry (the account's CDR stream;
                                  maxLen is a safety cap, the exporter trims by time), and the
                                  account marked in '<prefix>{export}:pending:cdr' (see below)
    'owner', msisdn, seconds      SET key msisdn EX seconds (Session-Id -> MSISDN)
    'supervise', untilMs, member  ZADD key untilMs member (Tcc supervision)
    'unsupervise', member         ZREM key member

  Returns the CDR's stream id, or false when none was written.

  The exporter (src/export/) finds the accounts whose CDRs wait to be written to files in the
  sorted set '<prefix>{export}:pending:cdr' (member the MSISDN, score the time of its oldest CDR
  not exported: NX). In a Redis Cluster that set is in another slot and Redis refuses the ZADD;
  pcall keeps the script going, and the exporter finds a cluster's streams by SCAN instead.
]]

local function mark_unexported(stream, id)
  local head, msisdn = string.match(stream, '^(.*)cdr:{(.*)}$')
  if head then
    redis.pcall('ZADD', head .. '{export}:pending:cdr', 'NX', string.match(id, '^%d+'), msisdn)
  end
end


-- A record written by its request's charging call keeps that call's result (the balance scripts'
-- includes/session-write.lua). Replaced, the result moves to the call's own key, where a replay
-- of the call still finds it for 60 s (RELEASED_OPERATION_SECONDS, src/credit-control/sessions.ts).
local function release_kept(recordKey, stored)
  local x = stored and string.match(stored, ',"x":(%b[])}$')
  local opId = x and string.match(stored, '"p":%["%a+",%d+,%d+,"([^"]*)"')
  local head, tag, session = string.match(recordKey, '^(.-)sess:(%b{}):(.*)$')
  if not opId or not head then
    return
  end
  if string.sub(opId, 1, 1) == '#' then
    opId = session .. opId
  end
  redis.call('SET', head .. 'op:' .. tag .. ':' .. opId, x, 'EX', 60)
end

local stored = redis.call('GET', KEYS[1])
if ARGV[3] ~= '' and stored ~= ARGV[3] then
  return redis.error_reply('STALE the session record changed since it was read')
end
release_kept(KEYS[1], stored)
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local cdr = false
local a = 4
for k = 2, #KEYS do
  local op = ARGV[a]
  if op == 'cdr' then
    cdr = redis.call('XADD', KEYS[k], 'MAXLEN', '~', ARGV[a + 1], '*', 'cdr', ARGV[a + 2])
    mark_unexported(KEYS[k], cdr)
    a = a + 3
  elseif op == 'owner' then
    redis.call('SET', KEYS[k], ARGV[a + 1], 'EX', ARGV[a + 2])
    a = a + 3
  elseif op == 'supervise' then
    redis.call('ZADD', KEYS[k], ARGV[a + 1], ARGV[a + 2])
    a = a + 3
  elseif op == 'unsupervise' then
    redis.call('ZREM', KEYS[k], ARGV[a + 1])
    a = a + 2
  else
    return redis.error_reply('session-save: unknown operation ' .. tostring(op))
  end
end
return cdr
