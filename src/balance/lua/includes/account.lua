--- @include "integers"
--- @include "codes"

-- One account for the length of a script. Attributes and buckets are read once; every change is
-- made in memory and recorded as a delta of the current ledger step; account_save writes all of
-- it at the end, so a refused request leaves nothing behind.
--
-- Hash acct:{m}: status (active|blocked|lost), validUntil (epoch s, 0: none), minThreshold,
-- prepaid (0|1), tariff, currency, and per bucket avail:<b>, resv:<b>, spent:<b>. A bucket that
-- does not exist has 0 of everything.

local ATTRIBUTES = { 'status', 'validUntil', 'minThreshold', 'prepaid', 'tariff', 'currency' }

local function new_bucket(a, r, s)
  return { avail = tonumber(a) or 0, resv = tonumber(r) or 0, spent = tonumber(s) or 0 }
end

-- Reads the attributes, 'money' and the named buckets in one HMGET; nil when there is no account.
local function account_load(key, names)
  local fields, wanted, seen = {}, { 'money' }, { money = true }
  for _, f in ipairs(ATTRIBUTES) do
    fields[#fields + 1] = f
  end
  for _, n in ipairs(names) do
    if not seen[n] then
      seen[n] = true
      wanted[#wanted + 1] = n
    end
  end
  for _, n in ipairs(wanted) do
    fields[#fields + 1] = 'avail:' .. n
    fields[#fields + 1] = 'resv:' .. n
    fields[#fields + 1] = 'spent:' .. n
  end
  local v = redis.call('HMGET', key, unpack(fields))
  if not v[1] then
    return nil
  end
  local acct = {
    key = key,
    status = v[1],
    validUntil = tonumber(v[2]) or 0,
    minThreshold = tonumber(v[3]) or 0,
    prepaid = v[4] == '1',
    tariff = v[5] or '',
    currency = v[6] or '',
    buckets = {},
    dirty = {},
    step = {},
    stepOrder = {},
  }
  local base = #ATTRIBUTES
  for i, n in ipairs(wanted) do
    local k = base + (i - 1) * 3
    acct.buckets[n] = new_bucket(v[k + 1], v[k + 2], v[k + 3])
  end
  return acct
end

local function bucket(acct, name)
  local b = acct.buckets[name]
  if not b then
    local v = redis.call('HMGET', acct.key, 'avail:' .. name, 'resv:' .. name, 'spent:' .. name)
    b = new_bucket(v[1], v[2], v[3])
    acct.buckets[name] = b
  end
  return b
end

-- Moves amounts between the available, reserved and spent parts of one bucket.
local function change(acct, name, da, dr, ds)
  if da == 0 and dr == 0 and ds == 0 then
    return
  end
  local b = bucket(acct, name)
  b.avail, b.resv, b.spent = b.avail + da, b.resv + dr, b.spent + ds
  if not b.dirty then
    b.dirty = true
    acct.dirty[#acct.dirty + 1] = name
  end
  local d = acct.step[name]
  if not d then
    d = { 0, 0, 0 }
    acct.step[name] = d
    acct.stepOrder[#acct.stepOrder + 1] = name
  end
  d[1], d[2], d[3] = d[1] + da, d[2] + dr, d[3] + ds
end

local function account_save(acct)
  if #acct.dirty == 0 then
    return
  end
  local args = { 'HSET', acct.key }
  for _, name in ipairs(acct.dirty) do
    local b = acct.buckets[name]
    args[#args + 1] = 'avail:' .. name
    args[#args + 1] = istr(b.avail)
    args[#args + 1] = 'resv:' .. name
    args[#args + 1] = istr(b.resv)
    args[#args + 1] = 'spent:' .. name
    args[#args + 1] = istr(b.spent)
  end
  redis.call(unpack(args))
end

-- What a charge may take from a bucket: all of it, or for money with keepThreshold, what lies
-- above the account's minimum threshold.
local function spendable(acct, name, keepThreshold)
  local s = bucket(acct, name).avail
  if keepThreshold and name == 'money' then
    s = s - acct.minThreshold
  end
  if s < 0 then
    return 0
  end
  return s
end

-- The patent's authenticate interface (DESIGN §2): exists, active (not blocked, not reported
-- lost), within its validity period, and when prepaid, money at or above the minimum threshold.
local function account_check(acct, now)
  if not acct then
    return ACCOUNT_NOT_FOUND
  end
  if acct.status == 'lost' then
    return ACCOUNT_LOST
  end
  if acct.status ~= 'active' then
    return ACCOUNT_BLOCKED
  end
  if acct.validUntil > 0 and now >= acct.validUntil * 1000 then
    return ACCOUNT_EXPIRED
  end
  if acct.prepaid and acct.buckets.money.avail < acct.minThreshold then
    return BELOW_MIN_THRESHOLD
  end
  return OK
end

-- The current step's non-zero deltas of one part (1 avail, 2 resv, 3 spent) as {bucket, amount, ...},
-- with the sign flipped when `sign` is -1.
local function step_amounts(acct, part, sign)
  local out = {}
  for _, name in ipairs(acct.stepOrder) do
    local v = acct.step[name][part] * sign
    if v ~= 0 then
      out[#out + 1] = name
      out[#out + 1] = v
    end
  end
  return out
end
