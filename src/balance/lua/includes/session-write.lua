--- @include "codes"

-- The session write a credit-control request carries in its one charging call (DESIGN §5,
-- src/credit-control/session-carry.ts), so that a CCR-U or CCR-T is one Redis command: the
-- session record, and as the request needs them its CDR, its Session-Id -> MSISDN record and
-- its Tcc supervision entry, written only when the call succeeds and not on a replay (a replayed
-- operation changes nothing). Used on one Redis only: the owner record and the supervision set
-- lie in other slots of a cluster, where the caller writes the session on its own.
--
-- From argv[i] (after the reservation index's key and member, '' '' when there is none):
--   'session', recordKey, condition, record, ttlSeconds, then operations:
--   condition  '' : none (a guard around the call checks the record read) | 'absent': the call
--              is refused, changing nothing, when a record exists (a session opened already)
--   'cdr', key, maxLen, head, tail, n, then n bucket/amount pairs: the CDR is head, the amounts
--          charged over the session (those n plus what this call charged) as a JSON object, then
--          tail; XADD key MAXLEN ~ maxLen * cdr <it>, and the account marked for the exporter in
--          '<prefix>{export}:pending:cdr' (NX: the time of its oldest CDR not exported; pcall:
--          in a cluster that set is in another slot, and the exporter finds the streams by SCAN)
--   'owner', key, msisdn, seconds    SET key msisdn EX seconds (Session-Id -> MSISDN)
--   'supervise', key, untilMs, member    ZADD key untilMs member (Tcc supervision)
--   'supervised', key, member            writes nothing: the session stays open, and is under Tcc
--                                        supervision when the member is in that set
--   'unsupervise', key, member           ZREM key member
--   'release', key, seconds              EXPIRE key seconds LT: the kept result of the call that
--                                        wrote the record replaced here, no longer read from it
--
-- The call's own result (op:{m}:<opId>) completes the record for its readers
-- (src/credit-control/session-pending.ts): it is kept a minute longer than the record
-- (session_write_op_ttl), and released once a later write replaces the record, so that what a
-- session leaves behind expires with its closed record.

-- The position of the session write in argv, or nil when the call carries none.
local function session_write_at(argv, i)
  if argv[i] == 'session' then
    return i
  end
  return nil
end

-- Seconds to keep the call's result: `ttl`, or when the call writes the record, a minute more
-- than the record (no crash can fall between the two then: the record alone needs it).
local function session_write_op_ttl(argv, at, ttl)
  if not at then
    return ttl
  end
  return tonumber(argv[at + 4]) + 60
end

-- Whether the session is under Tcc supervision once the write is made: it is opened now
-- ('supervise'), or stays open and its entry is there ('supervised'). Supervision then returns
-- the reservation this call leaves when the session goes silent (DESIGN §2, Tcc supervision), so
-- the reservation needs no entry in the global reservation index: one entry per open session.
local function session_write_supervised(argv, at)
  if not at then
    return false
  end
  local a = at + 5
  while argv[a] do
    local op = argv[a]
    if op == 'supervise' then
      return true
    elseif op == 'supervised' then
      return redis.call('ZSCORE', argv[a + 1], argv[a + 2]) ~= false
    elseif op == 'cdr' then
      a = a + 6 + 2 * tonumber(argv[a + 5])
    elseif op == 'owner' then
      a = a + 4
    else
      -- 'unsupervise' (the session closes), 'release', or one session_write refuses
      return false
    end
  end
  return false
end

-- A refusal when the write's condition does not hold, else nil. Checked before any change.
local function session_write_refused(argv, at)
  if at and argv[at + 2] == 'absent' and redis.call('EXISTS', argv[at + 1]) == 1 then
    return refuse(GUARD_FAILED, 'the session record exists')
  end
  return nil
end

-- '{"bucket":amount,...}' of the `base` pairs (argv from index i, n of them) plus `charged`
-- ({bucket, amount, ...}), in the order the buckets first appear. Bucket names are
-- [A-Za-z0-9_:.-] (src/balance/validate.ts): nothing in them needs escaping.
local function amounts_json(argv, i, n, charged)
  local order, sums = {}, {}
  local function add(bucket, amount)
    if sums[bucket] == nil then
      order[#order + 1] = bucket
      sums[bucket] = 0
    end
    sums[bucket] = sums[bucket] + amount
  end
  for k = 0, n - 1 do
    add(argv[i + 2 * k], tonumber(argv[i + 2 * k + 1]))
  end
  for k = 1, #charged, 2 do
    add(charged[k], charged[k + 1])
  end
  local parts = {}
  for k = 1, #order do
    parts[k] = string.format('"%s":%d', order[k], sums[order[k]])
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

local function mark_cdr_unexported(stream, id)
  local head, msisdn = string.match(stream, '^(.*)cdr:{(.*)}$')
  if head then
    redis.pcall('ZADD', head .. '{export}:pending:cdr', 'NX', string.match(id, '^%d+'), msisdn)
  end
end

-- Writes the session; `charged` is what this call charged ({bucket, amount, ...}).
local function session_write(argv, at, charged)
  if not at then
    return
  end
  redis.call('SET', argv[at + 1], argv[at + 3], 'EX', argv[at + 4])
  local a = at + 5
  while argv[a] do
    local op = argv[a]
    if op == 'cdr' then
      local n = tonumber(argv[a + 5])
      local entry = argv[a + 3] .. amounts_json(argv, a + 6, n, charged) .. argv[a + 4]
      local id = redis.call('XADD', argv[a + 1], 'MAXLEN', '~', argv[a + 2], '*', 'cdr', entry)
      mark_cdr_unexported(argv[a + 1], id)
      a = a + 6 + 2 * n
    elseif op == 'owner' then
      redis.call('SET', argv[a + 1], argv[a + 2], 'EX', argv[a + 3])
      a = a + 4
    elseif op == 'supervise' then
      redis.call('ZADD', argv[a + 1], argv[a + 2], argv[a + 3])
      a = a + 4
    elseif op == 'unsupervise' then
      redis.call('ZREM', argv[a + 1], argv[a + 2])
      a = a + 3
    elseif op == 'supervised' then
      a = a + 3
    elseif op == 'release' then
      redis.call('EXPIRE', argv[a + 1], argv[a + 2], 'LT')
      a = a + 3
    else
      error('session write: unknown operation ' .. tostring(op))
    end
  end
end
