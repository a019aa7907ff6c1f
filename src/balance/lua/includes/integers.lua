-- Integer arithmetic on Lua numbers. Redis Lua numbers are doubles: integers are exact below
-- 2^53, but tostring() and '..' print only 14 significant digits, so integers are always printed
-- with string.format('%d'). Inputs are capped at 15 digits (< 2^50), which keeps every product
-- made below (units * price <= an amount, quotient * divisor <= dividend + divisor) exact.
local MAX_AMOUNT = 999999999999999

local function istr(n)
  return string.format('%d', n)
end

-- A non-negative decimal integer of at most 15 digits, or nil.
local function parse_uint(s)
  if type(s) ~= 'string' or #s == 0 or #s > 15 or not string.find(s, '^%d+$') then
    return nil
  end
  return tonumber(s)
end

-- floor(a / b) for integers 0 <= a, 0 < b: the float quotient is only a first guess, corrected
-- with exact integer products so that no rounding of a/b can grant or charge one unit too many.
local function idiv(a, b)
  local q = math.floor(a / b)
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
