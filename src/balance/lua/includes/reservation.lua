--- @include "integers"
--- @include "args"

-- Reservations of one account: hash resv:{m}, field '<ratingGroup>|<sessionId>', value
-- '<expiresAtMs> <bucket> <unitSize> <pricePerUnit> <units> ...' (one group of four per tier, in
-- tier order; units = whole units still frozen in that tier, each worth pricePerUnit of the
-- bucket, or the dearer side of a '<before>/<after>' price, args.lua). The expiry comes first
-- so that the sweeper (expire-reservations.lua) reads it from here; which reservations are due
-- it learns from the global reservation index, by id.
-- src/balance/decode.ts reads the same encoding. In memory: the tiers (args.lua, maxUnits none),
-- what they hold, and the expiry as the string it is stored as.

local function resv_encode(expiresAt, tiers, held)
  local s = expiresAt
  for i = 1, #tiers do
    local t = tiers[i]
    s = s .. ' ' .. t[T_BUCKET] .. ' ' .. t[T_UNIT_S] .. ' ' .. t[T_PRICE_S] .. ' ' .. istr(held[i])
  end
  return s
end

-- tiers, held, expiresAt of a stored reservation, or nil.
local function resv_load(key, rid)
  local s = redis.call('HGET', key, rid)
  if not s then
    return nil
  end
  local _, pos, expiresAt = string.find(s, '^(%d+)')
  local tiers, held, n = {}, {}, 0
  while true do
    local _, e, b, u, p, k = string.find(s, '^ (%S+) (%d+) ([%d/]+) (%d+)', pos + 1)
    if not e then
      break
    end
    n = n + 1
    tiers[n], held[n] = tier_spec(n, b, u, p, ''), uint(k)
    pos = e
  end
  return tiers, held, expiresAt
end

-- Creates or replaces the reservation (expiresAt: a string). With `new`, only creates it and
-- answers false when it exists.
local function resv_save(key, rid, expiresAt, tiers, held, new)
  local value = resv_encode(expiresAt, tiers, held)
  if new then
    if redis.call('HSETNX', key, rid, value) == 0 then
      return false
    end
  else
    redis.call('HSET', key, rid, value)
  end
  return true
end

local function resv_delete(key, rid)
  redis.call('HDEL', key, rid)
end

-- Service units the tiers still hold.
local function resv_units(tiers, held)
  local n = 0
  for i = 1, #tiers do
    n = n + held[i] * tiers[i][T_UNIT]
  end
  return n
end

-- The optional trailing arguments argv[i], argv[i + 1] of apply, settle and release on one
-- Redis (not a cluster, where the index lives in another slot): the key of the global
-- reservation index and the reservation's member in it. nil when not given.
local function index_args(argv, i)
  local key = argv[i]
  if key and key ~= '' and argv[i + 1] then
    return key, argv[i + 1]
  end
  return nil
end
