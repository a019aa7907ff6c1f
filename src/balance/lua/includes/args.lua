--- @include "integers"

-- Argument parsing. Every argument is checked before anything is read or written, so a bad call
-- changes nothing and is not remembered under its operation id.

-- Bucket names: 'money', 'vpn:vpn-300:free-seconds', 'data:rg10'. The characters '=', '/', ';'
-- and spaces are excluded because the ledger and the reservation encoding use them as separators.
local function valid_bucket(s)
  return type(s) == 'string' and #s >= 1 and #s <= 64 and string.find(s, '^[%w_.:%-]+$') ~= nil
end

-- ARGV[1..4] of every operation that takes an id: opId, nowMs, opTtlSeconds, ledgerMaxLen.
local function parse_op(argv)
  local op = {
    id = argv[1],
    now = parse_uint(argv[2]),
    ttl = parse_uint(argv[3]),
    maxlen = parse_uint(argv[4]),
  }
  if type(op.id) ~= 'string' or #op.id == 0 or #op.id > 512 then
    return nil, 'opId: 1 to 512 characters'
  end
  if not op.now then
    return nil, 'nowMs: a non-negative integer'
  end
  if not op.ttl or op.ttl < 1 then
    return nil, 'opTtlSeconds: a positive integer'
  end
  if not op.maxlen or op.maxlen < 1 then
    return nil, 'ledgerMaxLen: a positive integer'
  end
  return op
end

-- ARGV[5..6] of reservation operations: sessionId and rating group.
local function parse_session(argv, op)
  local session, rg = argv[5], parse_uint(argv[6])
  if type(session) ~= 'string' or #session == 0 or #session > 512 then
    return 'sessionId: 1 to 512 characters'
  end
  if not rg or rg > 4294967295 then
    return 'ratingGroup: an Unsigned32'
  end
  op.session, op.rg = session, rg
  op.rid = istr(rg) .. '|' .. session
  return nil
end

-- Tiers from argv[i]: a count, then bucket, unitSize, pricePerUnit, maxUnits ('' for none) each.
local MAX_TIERS = 16
local function parse_tiers(argv, i)
  local count = parse_uint(argv[i])
  if not count or count < 1 or count > MAX_TIERS then
    return nil, 'tiers: 1 to ' .. MAX_TIERS
  end
  local tiers = {}
  for t = 1, count do
    local j = i + 1 + (t - 1) * 4
    local bucket, unit, price, max = argv[j], parse_uint(argv[j + 1]), parse_uint(argv[j + 2]), argv[j + 3]
    local name = 'tiers[' .. (t - 1) .. ']'
    if not valid_bucket(bucket) then
      return nil, name .. '.bucket: 1 to 64 of letters, digits, _ . : -'
    end
    if not unit or unit < 1 then
      return nil, name .. '.unitSize: a positive integer'
    end
    if not price then
      return nil, name .. '.pricePerUnit: a non-negative integer'
    end
    local cap = nil
    if max ~= '' then
      cap = parse_uint(max)
      if not cap then
        return nil, name .. ".maxUnits: a non-negative integer or ''"
      end
    end
    tiers[t] = { bucket = bucket, unitSize = unit, price = price, maxUnits = cap, units = 0 }
  end
  return tiers, i + 1 + count * 4
end
