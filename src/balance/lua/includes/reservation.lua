--- @include "integers"

-- Reservations of one account: hash resv:{m}, field '<ratingGroup>|<sessionId>', value
-- '<expiresAtMs> <bucket> <unitSize> <pricePerUnit> <units> ...' (one group of four per tier, in
-- tier order; units = whole units still frozen in that tier, each worth pricePerUnit of the
-- bucket), and zset resvexp:{m} of reservation id -> expiresAtMs for the sweeper.
-- src/balance/decode.ts reads the same encoding.

local function resv_encode(r)
  local parts = { istr(r.expires) }
  for _, t in ipairs(r.tiers) do
    parts[#parts + 1] = t.bucket
    parts[#parts + 1] = istr(t.unitSize)
    parts[#parts + 1] = istr(t.price)
    parts[#parts + 1] = istr(t.units)
  end
  return table.concat(parts, ' ')
end

local function resv_decode(s)
  local tok = {}
  for w in string.gmatch(s, '%S+') do
    tok[#tok + 1] = w
  end
  local r = { expires = tonumber(tok[1]), tiers = {} }
  for i = 2, #tok - 3, 4 do
    r.tiers[#r.tiers + 1] = {
      bucket = tok[i],
      unitSize = tonumber(tok[i + 1]),
      price = tonumber(tok[i + 2]),
      units = tonumber(tok[i + 3]),
    }
  end
  return r
end

-- K = { resv = KEYS hash, exp = KEYS zset }
local function resv_load(K, rid)
  local s = redis.call('HGET', K.resv, rid)
  if not s then
    return nil
  end
  return resv_decode(s)
end

local function resv_save(K, rid, r)
  redis.call('HSET', K.resv, rid, resv_encode(r))
  redis.call('ZADD', K.exp, istr(r.expires), rid)
end

local function resv_delete(K, rid)
  redis.call('HDEL', K.resv, rid)
  redis.call('ZREM', K.exp, rid)
end

-- Service units the reservation still covers.
local function resv_units(r)
  local n = 0
  for _, t in ipairs(r.tiers) do
    n = n + t.units * t.unitSize
  end
  return n
end
