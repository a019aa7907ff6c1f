--- @include "codes"
--- @include "integers"
--- @include "idempotency"
--- @include "pending-export"

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
--                                        wrote the record replaced here (in a key of its own, as
--                                        an earlier version kept it), no longer read from it
--
-- Instead of a key of its own, the call's result is kept in the record it writes, as its last
-- field "x": the values of the reply's fields, in order, as JSON (kept_json). Its readers
-- (src/credit-control/session-pending.ts) complete the record from it without another read, and
-- a replay of the call, which names the record ('kept', recordKey, or its own session write),
-- returns it (kept_reply). When a later write replaces the record, the result moves to the
-- call's own key, op:{m}:<opId>, for RELEASED_SECONDS (kept_release): a copy of that request
-- still in flight, or one that read the record just before, replays it from there.
-- Without a key per open session, a session costs about 250 bytes less of Redis (DESIGN §5).

-- The fields of the replies of apply and settle, in the order the scripts return them: a record
-- keeps only their values.
local APPLY_FIELDS = { 'granted', 'final', 'expiresAtMs', 'tiers', 'moneyAvailable' }
local SETTLE_FIELDS = {
  'settled', 'charged', 'uncharged', 'amounts', 'returned', 'releasedExpiresAtMs', 'granted', 'final',
  'creditLimitReached', 'expiresAtMs', 'tiers', 'moneyAvailable', 'denied',
}

-- Seconds a replaced record's result stays under its call's key (RELEASED_OPERATION_SECONDS
-- of src/credit-control/sessions.ts).
local RELEASED_SECONDS = '60'

-- The position of the session write in argv, or nil when the call carries none.
local function session_write_at(argv, i)
  if argv[i] == 'session' then
    return i
  end
  return nil
end

-- What the call's own key `opKey` keeps (false: nothing), and the session record the call may
-- have kept its result in: that of its session write, or of 'kept', recordKey (a call of credit
-- control that carries no write), false when there is none, nil when the call names no record.
-- Both keys are in the account's slot: one MGET reads them.
local function kept_reads(opKey, argv, i)
  local op = argv[i]
  if op == 'session' or op == 'kept' then
    local v = redis.call('MGET', opKey, argv[i + 1])
    return v[1], v[2]
  end
  return redis.call('GET', opKey), nil
end

-- A list of a reply (tiers: bucket, units, amount, ...; amounts: bucket, amount, ...) as JSON.
-- Bucket names need no escaping (args.lua). One concatenation for the usual one or two buckets.
local function kept_list(v)
  local n = #v
  if n == 0 then
    return '[]'
  elseif n == 2 then
    return '["' .. v[1] .. '",' .. istr(v[2]) .. ']'
  elseif n == 3 then
    return '["' .. v[1] .. '",' .. istr(v[2]) .. ',' .. istr(v[3]) .. ']'
  elseif n == 4 then
    return '["' .. v[1] .. '",' .. istr(v[2]) .. ',"' .. v[3] .. '",' .. istr(v[4]) .. ']'
  elseif n == 6 and type(v[3]) ~= 'string' then
    -- Two (bucket, units, amount) holds; three (bucket, amount) pairs take the loop below.
    return '["' .. v[1] .. '",' .. istr(v[2]) .. ',' .. istr(v[3]) .. ',"' .. v[4] .. '",' .. istr(v[5])
      .. ',' .. istr(v[6]) .. ']'
  end
  local parts = {}
  for k = 1, n do
    local e = v[k]
    parts[k] = type(e) == 'string' and '"' .. e .. '"' or istr(e)
  end
  return '[' .. table.concat(parts, ',') .. ']'
end

-- The reply's values as the record keeps them, in the order of APPLY_FIELDS or SETTLE_FIELDS, as
-- one concatenation (one string made; a string.format of them all cost 30,000 instructions for a
-- settle). `texts`: the large integers the caller holds as text already (expiries, the money
-- available), so that they are not printed again: [6] expiresAtMs of apply, or of settle
-- [12] releasedExpiresAtMs, [20] expiresAtMs, [24] moneyAvailable; apply's [10] moneyAvailable.
-- Scratch `texts` of the scripts (Redis runs one call at a time).
local TEXTS = {}

local function kept_json(f, texts)
  if #f == 10 then
    return '[' .. istr(f[2]) .. ',' .. istr(f[4]) .. ',' .. (texts[6] or istr(f[6])) .. ',' .. kept_list(f[8])
      .. ',' .. (texts[10] or istr(f[10])) .. ']'
  end
  return '[' .. istr(f[2]) .. ',' .. istr(f[4]) .. ',' .. istr(f[6]) .. ',' .. kept_list(f[8]) .. ','
    .. kept_list(f[10]) .. ',' .. (texts[12] or istr(f[12])) .. ',' .. istr(f[14]) .. ',' .. istr(f[16])
    .. ',' .. istr(f[18]) .. ',' .. (texts[20] or istr(f[20])) .. ',' .. kept_list(f[22]) .. ','
    .. (texts[24] or istr(f[24])) .. ',' .. istr(f[26]) .. ']'
end

-- The kept values of a stored record and the opId of the call that kept them, as the record has
-- it (without the Session-Id it starts with: src/credit-control/session-codec.ts), or nil. The
-- values are the record's last field; plain finds, as a pattern tried at every position of a
-- record costs four times as much.
local function kept_of(stored)
  local at = stored and string.find(stored, ',"x":[', 1, true)
  if not at then
    return nil
  end
  local p = string.find(stored, '"p":["', 1, true)
  return string.sub(stored, at + 5, -2), p and string.match(stored, '^"p":%["%a+",%d+,%d+,"([^"]*)"', p)
end

-- The first reply of the call `opId` of `session`, when the stored record keeps it (`x` and
-- `kept`, of kept_of); else nil.
local function kept_reply(x, kept, session, opId, names)
  if not x then
    return nil
  end
  local head = session .. '#'
  if string.sub(opId, 1, #head) == head then
    opId = string.sub(opId, #session + 1)
  end
  if kept ~= opId then
    return nil
  end
  return named_reply(cjson.decode(x), names)
end

-- Before a record that keeps `x`, the result of the call `kept`, is replaced: the result to
-- that call's key, whose name is this call's (opKey, of opId) with the other opId.
-- Returns that key, or nil when there was nothing to move.
local function kept_release(x, kept, session, opKey, opId)
  if not x or not kept then
    return nil
  end
  if string.byte(kept, 1) == 35 then -- '#'
    kept = session .. kept
  end
  local key = string.sub(opKey, 1, #opKey - #opId) .. kept
  redis.call('SET', key, x, 'EX', RELEASED_SECONDS)
  return key
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

-- A refusal when the write's condition does not hold, else nil. Checked before any change;
-- `stored`: the record as session_record read it.
local function session_write_refused(argv, at, stored)
  if at and argv[at + 2] == 'absent' and stored then
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
    parts[k] = '"' .. order[k] .. '":' .. istr(sums[order[k]])
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

local function mark_cdr_unexported(stream, id)
  mark_unexported(stream, 'cdr:{', '{export}:pending:cdr', id)
end

-- Writes the session, the record keeping the call's reply `fields`; `charged` is what this call
-- charged ({bucket, amount, ...}); `x`, `kept`: what the record it replaces kept (kept_of), which
-- moves to its call's key, named like `opKey`, this call's key for `opId`.
-- `texts`: as kept_json takes them.
local function session_write(argv, at, charged, fields, texts, x, kept, session, opKey, opId)
  local released = kept_release(x, kept, session, opKey, opId)
  local record = string.sub(argv[at + 3], 1, -2) .. ',"x":' .. kept_json(fields, texts) .. '}'
  redis.call('SET', argv[at + 1], record, 'EX', argv[at + 4])
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
      -- Set just now by kept_release, with this time to live: nothing to shorten.
      if argv[a + 1] ~= released or argv[a + 2] ~= RELEASED_SECONDS then
        redis.call('EXPIRE', argv[a + 1], argv[a + 2], 'LT')
      end
      a = a + 3
    else
      error('session write: unknown operation ' .. tostring(op))
    end
  end
end
