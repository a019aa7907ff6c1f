--- @include "integers"
--- @include "account"

-- Tier arithmetic (DESIGN §3). A tier is { bucket, unitSize, price, maxUnits, units }: unitSize
-- service units (seconds, octets, messages) make one charged unit, each started unit costs
-- `price` of the bucket (0: free and unlimited), maxUnits optionally caps one grant, and `units`
-- is what the tier holds frozen. Tiers are always walked in order: free levels first, then
-- payment levels, so a call can run from free minutes into paid ones without a gap.

-- The bucket names of tiers, appended to `out`.
local function tier_buckets(tiers, out)
  out = out or {}
  for _, t in ipairs(tiers) do
    out[#out + 1] = t.bucket
  end
  return out
end

-- Whole units of tier t the account can pay for, up to `wanted`.
local function affordable(acct, t, wanted, keepThreshold, honourCap)
  local n = wanted
  if honourCap and t.maxUnits and t.maxUnits < n then
    n = t.maxUnits
  end
  if t.price > 0 and n > 0 then
    local can = idiv(spendable(acct, t.bucket, keepThreshold), t.price)
    if can < n then
      n = can
    end
  end
  return n
end

-- apply: freezes whole units, tier by tier, until `units` service units are covered; money keeps
-- the minimum threshold. Sets t.units; returns the service units granted.
local function freeze(acct, tiers, units)
  local remaining, granted = units, 0
  for _, t in ipairs(tiers) do
    t.units = 0
    if remaining > 0 then
      local n = affordable(acct, t, iceil(remaining, t.unitSize), true, true)
      if n > 0 then
        change(acct, t.bucket, -n * t.price, n * t.price, 0)
        t.units = n
        granted = granted + n * t.unitSize
        remaining = math.max(0, remaining - n * t.unitSize)
      end
    end
  end
  return granted
end

-- After a grant: could any tier pay for one more unit? If not, the grant is final (the
-- credit-control layer sends Final-Unit-Indication, RFC 4006 §5.6.1). A maxUnits cap limits one
-- grant, not the account, so it does not make a grant final; maxUnits 0 disables a tier.
local function can_pay_more(acct, tiers)
  for _, t in ipairs(tiers) do
    if t.maxUnits ~= 0 and (t.price == 0 or spendable(acct, t.bucket, true) >= t.price) then
      return true
    end
  end
  return false
end

-- deduct: charges `used` service units out of the reservation's frozen units, tier by tier,
-- a started unit in full. Returns the service units the reservation could not cover.
local function charge_reserved(acct, r, used)
  local remaining = used
  for _, t in ipairs(r.tiers) do
    if remaining == 0 then
      break
    end
    if t.units > 0 then
      local n = math.min(iceil(remaining, t.unitSize), t.units)
      change(acct, t.bucket, 0, -n * t.price, n * t.price)
      t.units = t.units - n
      remaining = math.max(0, remaining - n * t.unitSize)
    end
  end
  return remaining
end

-- Charges service units straight from the available part of the tiers' buckets (no reservation):
-- overuse beyond a grant (never below zero, caps ignored: the service was already delivered)
-- and direct debit (keeps the minimum threshold, honours caps). Returns what stayed uncovered.
local function charge_available(acct, tiers, units, keepThreshold, honourCap)
  local remaining = units
  for _, t in ipairs(tiers) do
    if remaining == 0 then
      break
    end
    local n = affordable(acct, t, iceil(remaining, t.unitSize), keepThreshold, honourCap)
    if n > 0 then
      change(acct, t.bucket, -n * t.price, 0, n * t.price)
      remaining = math.max(0, remaining - n * t.unitSize)
    end
  end
  return remaining
end

-- deduct with the overuse policy: 'charge-available' charges usage above the reservation from
-- what is available; 'refuse' leaves it uncharged. Either way the uncharged rest is returned.
local function deduct_usage(acct, r, used, overuse)
  local left = charge_reserved(acct, r, used)
  if left > 0 and overuse == 'charge-available' then
    left = charge_available(acct, r.tiers, left, false, false)
  end
  return left
end

-- return: unfreezes everything the reservation still holds.
local function unfreeze(acct, r)
  for _, t in ipairs(r.tiers) do
    if t.units > 0 then
      change(acct, t.bucket, t.units * t.price, -t.units * t.price, 0)
      t.units = 0
    end
  end
end

-- {bucket, units, amount, ...} of a reservation's tiers, for replies.
local function tier_holds(tiers)
  local out = {}
  for _, t in ipairs(tiers) do
    out[#out + 1] = t.bucket
    out[#out + 1] = t.units
    out[#out + 1] = t.units * t.price
  end
  return out
end
