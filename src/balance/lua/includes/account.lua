--- @include "integers"
--- @include "codes"
--- @include "args"

-- One account for the length of a script. Attributes and buckets are read once, in one HMGET;
-- every change is made in memory; ledger_flush (ledger.lua) records what changed since the last
-- entry, and account_save writes what changed since the load, at the end, in one HSET, so a
-- refused request leaves nothing behind.
--
-- Hash acct:{m}: status (active|blocked|lost), validUntil (epoch s, 0: none), minThreshold,
-- prepaid (0|1), tariff, currency, and per bucket avail:<b>, resv:<b>, spent:<b>. A bucket that
-- does not exist has 0 of everything.
--
-- In memory: acct = { key, status, minThreshold, (with `full`) validUntil, prepaid, tariff,
-- currency, money = the money bucket, and the buckets acct[1..n] in the order loaded }. A bucket
-- is an array: [B_NAME] its name, [AV] available, [RS] reserved, [SP] spent, then the same three
-- as loaded (+ LOADED) and as of the last ledger entry (+ MARK), [B_FIELDS] its field names, and
-- [B_TEXT] the available amount as text, as last read or printed, of the amount [B_TEXT + 1].
-- Spent is nil when the script said it would not change it (account_load's withSpent):
-- arithmetic on it then fails before anything is written.
local B_NAME, AV, RS, SP, LOADED, MARK, B_FIELDS, B_TEXT = 1, 2, 3, 4, 3, 6, 11, 12

-- Scratch arguments of HMGET and HSET.
local ARGS = {}

local function amount(v)
  if v and v ~= '0' then
    return tonumber(v)
  end
  return 0
end

local function new_bucket(name, fields, a, r, s, text)
  return { name, a, r, s, a, r, s, a, r, s, fields, text or '0', a }
end

-- The available amount of a bucket as text, printed only when it changed since last time.
local function avail_text(b)
  local a = b[AV]
  if b[B_TEXT + 1] ~= a then
    b[B_TEXT], b[B_TEXT + 1] = istr(a), a
  end
  return b[B_TEXT]
end

-- Adds the bucket `name` to the HMGET arguments ARGS[1..n] unless acct has it; returns n.
local function want(acct, n, name, withSpent)
  for i = 1, #acct do
    if acct[i][4] == name then
      return n
    end
  end
  local f = bucket_fields(name)
  acct[#acct + 1] = f
  ARGS[n + 1], ARGS[n + 2] = f[1], f[2]
  if withSpent then
    ARGS[n + 3] = f[3]
    return n + 3
  end
  return n + 2
end

-- Reads the attributes ('status' and 'minThreshold'; with `full` 'serve' also 'validUntil' and
-- 'prepaid', what account_denial and account_check need; with `full` true all six) and avail and
-- resv (and spent, withSpent) of the buckets of the tiers in tiersA and tiersB (either may be
-- nil) and of 'money', in one HMGET; nil when there is no account. Each field read costs about
-- 1,500 instructions in the HMGET and in its reply: a charging call reads only those it uses.
local function account_load(key, full, withSpent, tiersA, tiersB)
  ARGS[1], ARGS[2] = 'status', 'minThreshold'
  local n = 2
  if full then
    ARGS[3], ARGS[4] = 'validUntil', 'prepaid'
    n = 4
    if full == true then
      ARGS[5], ARGS[6] = 'tariff', 'currency'
      n = 6
    end
  end
  local base = n
  -- acct[i] holds the bucket's field names (bucket_fields) until the HMGET answers; made with
  -- room for three buckets and its fields, so that it does not grow
  local acct = { nil, nil, nil, key = key, status = false, minThreshold = 0, money = false, trimmed = false }
  if tiersA then
    for i = 1, #tiersA do
      n = want(acct, n, tiersA[i][T_BUCKET], withSpent)
    end
  end
  if tiersB then
    for i = 1, #tiersB do
      n = want(acct, n, tiersB[i][T_BUCKET], withSpent)
    end
  end
  n = want(acct, n, 'money', withSpent)
  local v = redis.call('HMGET', key, unpack(ARGS, 1, n))
  if not v[1] then
    return nil
  end
  acct.status, acct.minThreshold = v[1], v[2] == '0' and 0 or amount(v[2])
  if full then
    acct.validUntil, acct.prepaid = amount(v[3]), v[4] == '1'
    if full == true then
      acct.tariff, acct.currency = v[5] or '', v[6] or ''
    end
  end
  local k, parts = base, withSpent and 3 or 2
  for i = 1, #acct do
    local f = acct[i]
    local b = new_bucket(f[4], f, amount(v[k + 1]), amount(v[k + 2]), withSpent and amount(v[k + 3]) or nil, v[k + 1])
    acct[i] = b
    if b[B_NAME] == 'money' then
      acct.money = b
    end
    k = k + parts
  end
  return acct
end

-- The bucket `name`, read with a second HMGET if the load did not cover it (expire-reservations:
-- the tiers of what it finds).
local function bucket(acct, name)
  for i = 1, #acct do
    local b = acct[i]
    if b[B_NAME] == name then
      return b
    end
  end
  local f = bucket_fields(name)
  local v = redis.call('HMGET', acct.key, f[1], f[2], f[3])
  local b = new_bucket(name, f, amount(v[1]), amount(v[2]), amount(v[3]), v[1])
  acct[#acct + 1] = b
  return b
end

-- Moves amounts between the available, reserved and spent parts of one bucket.
local function change(acct, name, da, dr, ds)
  local b = bucket(acct, name)
  b[AV], b[RS] = b[AV] + da, b[RS] + dr
  if ds ~= 0 then
    b[SP] = b[SP] + ds
  end
end

-- Writes the parts that differ from what was loaded.
local function account_save(acct)
  local n = 0
  for i = 1, #acct do
    local b = acct[i]
    for part = AV, SP do
      local value = b[part]
      if value ~= b[part + LOADED] then
        ARGS[n + 1], ARGS[n + 2], n = b[B_FIELDS][part - 1], part == AV and avail_text(b) or istr(value), n + 2
      end
    end
  end
  if n > 0 then
    redis.call('HSET', acct.key, unpack(ARGS, 1, n))
  end
end

-- What a charge may take from a bucket: all of it, or for money with keepThreshold, what lies
-- above the account's minimum threshold. A bundle's bucket past its end (args.lua bucket_end)
-- gives nothing: its units expire at the time of the request (acct.now, set by the script from
-- its nowMs; a script that sets none may use no bundle at all).
local function spendable(acct, name, keepThreshold)
  local b = bucket(acct, name)
  local s = b[AV]
  if keepThreshold and name == 'money' then
    s = s - acct.minThreshold
  end
  local ends = bucket_end(b[B_FIELDS])
  if ends and not (acct.now and acct.now < ends) then
    return 0
  end
  if s < 0 then
    return 0
  end
  return s
end

-- Whether the subscriber may be served at all: active (not blocked, not reported lost) and
-- within its validity period; OK or the code of the first reason it may not. Checked on CCR-I
-- and CCR-E by authenticate and again by every settle of a CCR-U or CCR-T (RFC 4006 §5.1.2:
-- the server may deny further service within a session). The account must have been loaded
-- with `full` ('serve' or true).
local function account_denial(acct, now)
  if acct.status == 'lost' then
    return ACCOUNT_LOST
  end
  if acct.status ~= 'active' then
    return ACCOUNT_BLOCKED
  end
  if acct.validUntil > 0 and now >= acct.validUntil * 1000 then
    return ACCOUNT_EXPIRED
  end
  return OK
end

-- The patent's authenticate interface (DESIGN §2): exists, may be served (account_denial), and
-- when prepaid, money at or above the minimum threshold. The account must have been loaded with
-- `full` ('serve' or true).
local function account_check(acct, now)
  if not acct then
    return ACCOUNT_NOT_FOUND
  end
  local denial = account_denial(acct, now)
  if denial ~= OK then
    return denial
  end
  if acct.prepaid and acct.money[AV] < acct.minThreshold then
    return BELOW_MIN_THRESHOLD
  end
  return OK
end

-- The checks before a charge: the account exists and, when `authenticate` asks for the
-- authenticate interface too (the account then loaded with `full` 'serve'), passes it and is
-- prepaid.
local function charge_check(acct, authenticate, now)
  if not acct then
    return ACCOUNT_NOT_FOUND
  end
  if not authenticate then
    return OK
  end
  local code = account_check(acct, now)
  if code == OK and not acct.prepaid then
    return ACCOUNT_POSTPAID
  end
  return code
end

-- Each bucket's `part` (AV, RS or SP) as it is now, for step_amounts' `since`: a script that
-- writes one ledger entry for several steps (settle) measures each step from such a copy.
local function part_values(acct, part)
  local out = {}
  for i = 1, #acct do
    out[i] = acct[i][part]
  end
  return out
end

-- What changed in one part (AV, RS or SP) since the last ledger entry, or since `since` (from
-- part_values) when given, as {bucket, amount, ...} of the non-zero amounts.
local function step_amounts(acct, part, since)
  local out, n = { nil, nil, nil, nil }, 0 -- room for two buckets
  for i = 1, #acct do
    local b = acct[i]
    local v = b[part]
    if v then
      v = v - (since and since[i] or b[part + MARK])
      if v ~= 0 then
        out[n + 1], out[n + 2], n = b[B_NAME], v, n + 2
      end
    end
  end
  return out
end
