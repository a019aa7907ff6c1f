-- Integer arithmetic on Lua numbers. Redis Lua numbers are doubles: integers are exact below
-- 2^53, but tostring() and '..' print only 14 significant digits, so an integer goes into a
-- string only through istr (string.format('%d')). Inputs are capped at 15 digits (< 2^50),
-- which keeps every product made below (units * price <= an amount, quotient * divisor <=
-- dividend + divisor) exact.
--
-- What a call costs, in instructions of redis-server (callgrind), decides how these scripts are
-- written: an allocation (a table, a new string) costs about 1,500 with its share of garbage
-- collection, a call of a C function from Lua (tonumber, string.find, string.format) 1,500 to
-- 3,000, and a number passed to redis.call 3,500 more than a string (Redis prints it with
-- '%.17g'). So arguments are checked once and passed on as the strings they came as, few tables
-- are made per call, and the library keeps memo tables (here and in args.lua) and scratch
-- tables between calls: Redis runs one script at a time, and a fresh EVAL just starts them
-- empty.
--
-- No global is read at the top level of a file: the scripts also load as one Redis function
-- library, whose top level runs where only `redis` exists.
local MAX_AMOUNT = 999999999999999

-- Strings of integers within 9999 of 0 (units, counts, the deltas of a ledger entry), made once.
local SMALL = {}

local function istr(n)
  if n > -10000 and n < 10000 then
    local s = SMALL[n]
    if not s then
      s = string.format('%d', n)
      SMALL[n] = s
    end
    return s
  end
  return string.format('%d', n)
end

-- A decimal integer of at most 15 digits in canonical form (no sign, no leading zero), which is
-- how every number reaches the scripts; Redis itself refuses leading zeros in EX and MAXLEN.
local function is_uint(s)
  return s ~= nil and #s <= 15 and (s == '0' or string.find(s, '^[1-9]%d*$') ~= nil)
end

-- The same, > 0.
local function is_pos(s)
  return s ~= nil and #s <= 15 and string.find(s, '^[1-9]%d*$') ~= nil
end

-- is_uint's number, or nil.
local function parse_uint(s)
  if is_uint(s) then
    return tonumber(s)
  end
  return nil
end

-- parse_uint for values that repeat from call to call (rating groups, units asked, a tariff's
-- unit sizes and prices, the units a reservation holds), remembered by their string.
local UINTS, uint_count = {}, 0

local function uint(s)
  local n = UINTS[s]
  if n == nil and s ~= nil then
    n = parse_uint(s) or false
    if uint_count < 10000 then
      uint_count = uint_count + 1
      UINTS[s] = n
    end
  end
  return n or nil
end

-- floor(a / b) for integers 0 <= a, 0 < b: the float quotient is only a first guess, corrected
-- with exact integer products so that no rounding of a/b can grant or charge one unit too many.
-- (q - q % 1 is floor(q) without calling math.floor.)
local function idiv(a, b)
  local q = a / b
  q = q - q % 1
  while q > 0 and q * b > a do
    q = q - 1
  end
  while (q + 1) * b <= a do
    q = q + 1
  end
  return q
end

-- ceil(a / b) for integers 0 <= a, 0 < b.
local function iceil(a, b)
  local q = idiv(a, b)
  if q * b < a then
    q = q + 1
  end
  return q
end
