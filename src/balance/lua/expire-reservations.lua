--[[
  expire-reservations: give back the reservations whose expiry has passed: the session went
  silent (Tcc, RFC 4006 §13) or its client or server crashed. Run by the sweeper on the due
  entries of the global reservation index, one account at a time; running it twice is harmless,
  so it takes no opId. Which reservations to look at the caller says (the index, by id); whether
  one is due the reservation itself says (its stored expiry, reservation.lua), so a reservation
  extended since the index entry was read is left alone.

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] ledger:{m}
  ARGV[1]  nowMs   ARGV[2] ledgerMaxLen
  ARGV[3..] reservation ids ('<ratingGroup>|<sessionId>') to examine: each one that exists and
           expires at or before nowMs is given back

  Returns
    {0, {'expired', {reservation id, {bucket, amount returned, ...}, ...} in the order given,
         'live', {expiresAtMs of each given id that still exists after this run, else 0}}}
    One ledger entry (op expire, opId 'expire') per reservation that gave something back.
  Refusals {code, detail}
    -9 INVALID_ARGUMENT
  An account that does not exist has no reservations: nothing expires, every id reports 0.
]]
--- @include "args"
--- @include "reservation"
--- @include "tiers"
--- @include "ledger"

local now, maxlen = parse_clock(ARGV)
if not now then
  return refuse(INVALID_ARGUMENT, maxlen)
end

local expired, live = {}, {}
local acct = account_load(KEYS[1], false, false)
local nowMs = tonumber(now)
for i = 3, #ARGV do
  local rid, left = ARGV[i], 0
  local tiers, held, expiresAt
  if acct then
    tiers, held, expiresAt = resv_load(KEYS[2], rid)
  end
  if tiers then
    left = tonumber(expiresAt)
    if left <= nowMs then
      unfreeze(acct, tiers, held)
      expired[#expired + 1] = rid
      expired[#expired + 1] = step_amounts(acct, AV)
      local bar = string.find(rid, '|', 1, true)
      ledger_flush(acct, KEYS[3], maxlen, now, 'expire', 'expire', string.sub(rid, bar + 1),
        string.sub(rid, 1, bar - 1), false)
      resv_delete(KEYS[2], rid)
      left = 0
    end
  end
  live[#live + 1] = left
end
if acct then
  account_save(acct)
end
return { OK, { 'expired', expired, 'live', live } }
