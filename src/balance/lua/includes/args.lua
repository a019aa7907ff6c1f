--- @include "integers"

-- Argument parsing. Every argument is checked before anything is read or written, so a bad call
-- changes nothing and is not remembered under its operation id.

-- Bucket names: 'money', 'vpn:vpn-300:free-seconds', 'data:rg10'. The characters '=', '/', ';',
-- '|' and spaces are excluded because the ledger and the reservation encoding use them as
-- separators. BUCKETS keeps, per valid name, its three field names in the account hash.
local BUCKETS, bucket_count = {}, 0

local function valid_bucket(s)
  if BUCKETS[s] then
    return true
  end
  if s == nil or #s > 64 or not string.find(s, '^[%w_.:%-]+$') then
    return false
  end
  if bucket_count < 10000 then
    bucket_count = bucket_count + 1
    BUCKETS[s] = { 'avail:' .. s, 'resv:' .. s, 'spent:' .. s, s }
  end
  return true
end

-- The field names avail:<b>, resv:<b>, spent:<b> of a bucket, then its name.
local function bucket_fields(name)
  return BUCKETS[name] or { 'avail:' .. name, 'resv:' .. name, 'spent:' .. name, name }
end

-- A bundle's units live in a bucket named 'bundle:<id>:<end>' (src/bundles/model.ts), <end> the
-- epoch second from which they are no longer usable: the name carries the expiry, so a script
-- that loads the bucket knows it without another read, and a reservation made from it keeps it
-- (DESIGN §3, Bundles). The end in ms, or false for any other bucket, kept in bucket_fields'
-- table as [5].
local function bucket_end(fields)
  local ends = fields[5]
  if ends == nil then
    local s = string.match(fields[4], '^bundle:[%w_.%-]+:(%d+)$')
    ends = s and #s <= 12 and tonumber(s) * 1000 or false
    fields[5] = ends
  end
  return ends
end

-- ARGV[1..4] of every operation that takes an id: opId, nowMs, opTtlSeconds, ledgerMaxLen, as
-- the strings they came as (nowMs is converted only where a script compares it), or nil and
-- the error.
local function parse_op(argv)
  local id, now, ttl, maxlen = argv[1], argv[2], argv[3], argv[4]
  if not id or #id == 0 or #id > 512 then
    return nil, 'opId: 1 to 512 characters'
  end
  if not is_uint(now) then
    return nil, 'nowMs: a non-negative integer'
  end
  if not uint(ttl) or ttl == '0' then
    return nil, 'opTtlSeconds: a positive integer'
  end
  if not uint(maxlen) or maxlen == '0' then
    return nil, 'ledgerMaxLen: a positive integer'
  end
  return id, now, ttl, maxlen
end

-- ARGV[1..2] of the scripts that run without an operation id (upkeep, provisioning): nowMs and
-- ledgerMaxLen; or nil and the error.
local function parse_clock(argv)
  local now, maxlen = argv[1], argv[2]
  if not is_uint(now) then
    return nil, 'nowMs: a non-negative integer'
  end
  if not is_pos(maxlen) then
    return nil, 'ledgerMaxLen: a positive integer'
  end
  return now, maxlen
end

-- ARGV[5..6] of reservation operations: sessionId and rating group (a string), and the
-- reservation id '<ratingGroup>|<sessionId>'; or nil and the error.
local function parse_session(argv)
  local session, rg = argv[5], argv[6]
  if not session or #session == 0 or #session > 512 then
    return nil, 'sessionId: 1 to 512 characters'
  end
  local n = uint(rg)
  if not n or n > 4294967295 then
    return nil, 'ratingGroup: an Unsigned32'
  end
  return session, rg, rg .. '|' .. session
end

-- A tier is an array that never changes once made: [T_BUCKET] bucket, [T_UNIT] unitSize,
-- [T_PRICE] pricePerUnit, [T_MAX] maxUnits (false: no cap), and the strings unitSize and price
-- came as. The units a tier holds are kept beside it, in an array `held` of the same length.
-- A price is one integer, or '<before>/<after>' when a tariff change (RFC 4006 §8.20) falls
-- within the grant: [T_BEFORE] is what a unit used before the change costs, [T_AFTER] after
-- it, and [T_PRICE], what a unit freezes, the dearer of the two (DESIGN §3). Without a change
-- all three are the same.
local T_BUCKET, T_UNIT, T_PRICE, T_MAX, T_UNIT_S, T_PRICE_S, T_BEFORE, T_AFTER = 1, 2, 3, 4, 5, 6, 7, 8

-- Tiers by their four argument strings (maxUnits '' for none): a tariff has few distinct tiers,
-- so a call mostly finds its own here.
local SPECS, spec_count = {}, 0

local function tier_error(t, what)
  return string.format('tiers[%d].%s', t - 1, what)
end

-- One tier from its four strings, or nil and the error (t: its position, for the error).
local function tier_spec(t, bucket, unit, price, max)
  local spec = SPECS[bucket]
  spec = spec and spec[unit]
  spec = spec and spec[price]
  spec = spec and spec[max]
  if spec then
    return spec
  end
  if not valid_bucket(bucket) then
    return nil, tier_error(t, 'bucket: 1 to 64 of letters, digits, _ . : -')
  end
  local u, p = uint(unit), uint(price)
  if not u or u < 1 then
    return nil, tier_error(t, 'unitSize: a positive integer')
  end
  local before, after = p, p
  if not p and price then
    local b, a = string.match(price, '^(%d+)/(%d+)$')
    before, after = uint(b), uint(a)
    if before and after then
      p = before > after and before or after
    end
  end
  if not p then
    return nil, tier_error(t, "pricePerUnit: a non-negative integer, or '<before>/<after>'")
  end
  local cap = false
  if max ~= '' then
    cap = parse_uint(max)
    if not cap then
      return nil, tier_error(t, "maxUnits: a non-negative integer or ''")
    end
  end
  spec = { bucket, u, p, cap, unit, price, before, after }
  if spec_count < 10000 then
    spec_count = spec_count + 1
    local byBucket = SPECS[bucket] or {}
    SPECS[bucket] = byBucket
    local byUnit = byBucket[unit] or {}
    byBucket[unit] = byUnit
    local byPrice = byUnit[price] or {}
    byUnit[price] = byPrice
    byPrice[max] = spec
  end
  return spec
end

-- Tiers from argv[i]: a count, then bucket, unitSize, pricePerUnit, maxUnits ('' for none) each.
-- Returns the tiers and the index after them, or nil and the error.
local MAX_TIERS = 16
local function parse_tiers(argv, i)
  local count = uint(argv[i])
  if not count or count < 1 or count > MAX_TIERS then
    return nil, 'tiers: 1 to ' .. MAX_TIERS
  end
  local tiers = { nil, nil, nil } -- room for three without growing
  for t = 1, count do
    local j = i + t * 4 - 3
    local spec, err = tier_spec(t, argv[j], argv[j + 1], argv[j + 2], argv[j + 3])
    if not spec then
      return nil, err
    end
    tiers[t] = spec
  end
  return tiers, i + 1 + count * 4
end
