--- @include "integers"
--- @include "args"
--- @include "account"

-- Tier arithmetic (DESIGN §3). A tier (args.lua) is a bucket, unitSize, price and maxUnits:
-- unitSize service units (seconds, octets, messages) make one charged unit, each started unit
-- costs `price` of the bucket (0: free and unlimited), maxUnits optionally caps one grant. What
-- each tier holds frozen, in whole units, is held[i]. Tiers are always walked in order: free
-- levels first, then payment levels, so a call can run from free minutes into paid ones without
-- a gap.

-- Whole units of tier t the account can pay for, up to `wanted`, at the tier's price `side`
-- (T_PRICE to freeze; T_BEFORE or T_AFTER to charge, args.lua).
local function affordable(acct, t, wanted, keepThreshold, honourCap, side)
  local n = wanted
  local cap = t[T_MAX]
  if honourCap and cap and cap < n then
    n = cap
  end
  local price = t[side or T_PRICE]
  if price > 0 and n > 0 then
    local can = idiv(spendable(acct, t[T_BUCKET], keepThreshold), price)
    if can < n then
      n = can
    end
  end
  return n
end

-- apply: freezes whole units, tier by tier, until `units` service units are covered; money keeps
-- the minimum threshold. Returns the service units granted and what each tier holds.
local function freeze(acct, tiers, units)
  local remaining, granted, held = units, 0, { nil, nil, nil } -- room for three tiers
  for i = 1, #tiers do
    local t = tiers[i]
    held[i] = 0
    if remaining > 0 then
      local size = t[T_UNIT]
      local n = affordable(acct, t, iceil(remaining, size), true, true)
      if n > 0 then
        local amount = n * t[T_PRICE]
        change(acct, t[T_BUCKET], -amount, amount, 0)
        held[i] = n
        granted = granted + n * size
        remaining = remaining - n * size
        if remaining < 0 then
          remaining = 0
        end
      end
    end
  end
  return granted, held
end

-- After a grant: could any tier pay for one more unit? If not, the grant is final (the
-- credit-control layer sends Final-Unit-Indication, RFC 4006 §5.6.1). A maxUnits cap limits one
-- grant, not the account, so it does not make a grant final; maxUnits 0 disables a tier.
local function can_pay_more(acct, tiers)
  for i = 1, #tiers do
    local t = tiers[i]
    local price = t[T_PRICE]
    if t[T_MAX] ~= 0 and (price == 0 or spendable(acct, t[T_BUCKET], true) >= price) then
      return true
    end
  end
  return false
end

-- deduct: charges `used` service units out of what the tiers hold, tier by tier, a started unit
-- in full (held changes), at the price `side` (T_BEFORE or T_AFTER); a unit frozen at a dearer
-- price gives the difference back to available. Returns the service units the reservation could
-- not cover, or, negative, the part of the last started unit beyond `used`.
local function charge_reserved(acct, tiers, held, used, side)
  local remaining = used
  for i = 1, #tiers do
    if remaining <= 0 then
      break
    end
    local t, h = tiers[i], held[i]
    if h > 0 then
      local size = t[T_UNIT]
      local n = iceil(remaining, size)
      if n > h then
        n = h
      end
      local frozen, amount = n * t[T_PRICE], n * t[side]
      change(acct, t[T_BUCKET], frozen - amount, -frozen, amount)
      held[i] = h - n
      remaining = remaining - n * size
    end
  end
  return remaining
end

-- Charges service units straight from the available part of the tiers' buckets (no reservation):
-- overuse beyond a grant (never below zero, caps ignored: the service was already delivered)
-- and direct debit (keeps the minimum threshold, honours caps). Returns what stayed uncovered.
local function charge_available(acct, tiers, units, keepThreshold, honourCap, side)
  side = side or T_BEFORE
  local remaining = units
  for i = 1, #tiers do
    if remaining == 0 then
      break
    end
    local t = tiers[i]
    local size = t[T_UNIT]
    local n = affordable(acct, t, iceil(remaining, size), keepThreshold, honourCap, side)
    if n > 0 then
      local amount = n * t[side]
      change(acct, t[T_BUCKET], -amount, 0, amount)
      remaining = remaining - n * size
      if remaining < 0 then
        remaining = 0
      end
    end
  end
  return remaining
end

-- deduct with the overuse policy: 'charge-available' charges usage above the reservation from
-- what is available; 'refuse' leaves it uncharged. Either way the uncharged rest is returned.
-- `after` of the `used` units were reported after the tariff change (RFC 4006 §8.27
-- UNIT_AFTER_TARIFF_CHANGE) and cost the after price; the rest, the price in force when the
-- grant was made. A unit started before the change is charged at the price before it, and what
-- is left of it covers usage after the change, so a split never charges more units than the
-- same usage reported whole.
local function deduct_usage(acct, tiers, held, used, overuse, after)
  after = after or 0
  local left = charge_reserved(acct, tiers, held, used - after, T_BEFORE)
  if left < 0 then
    after = after + left
    if after < 0 then
      after = 0
    end
    left = 0
  end
  local leftAfter = after > 0 and charge_reserved(acct, tiers, held, after, T_AFTER) or 0
  if leftAfter < 0 then
    leftAfter = 0
  end
  if overuse == 'charge-available' then
    if left > 0 then
      left = charge_available(acct, tiers, left, false, false, T_BEFORE)
    end
    if leftAfter > 0 then
      leftAfter = charge_available(acct, tiers, leftAfter, false, false, T_AFTER)
    end
  end
  return left + leftAfter
end

-- return: unfreezes everything the tiers still hold.
local function unfreeze(acct, tiers, held)
  for i = 1, #tiers do
    local h = held[i]
    if h > 0 then
      local t = tiers[i]
      local amount = h * t[T_PRICE]
      change(acct, t[T_BUCKET], amount, -amount, 0)
      held[i] = 0
    end
  end
end

-- {bucket, units, amount, ...} of what the tiers hold, for replies.
local function tier_holds(tiers, held)
  local out = { nil, nil, nil, nil, nil, nil, nil, nil, nil } -- room for three tiers
  for i = 1, #tiers do
    local t, h = tiers[i], held[i]
    out[i * 3 - 2], out[i * 3 - 1], out[i * 3] = t[T_BUCKET], h, h * t[T_PRICE]
  end
  return out
end
