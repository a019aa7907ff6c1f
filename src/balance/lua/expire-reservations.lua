--[[
  expire-reservations: give back the reservations of one account whose expiry has passed: the
  session went silent (Tcc, RFC 4006 §13) or its client or server crashed. Run by the sweeper;
  running it twice is harmless, so it takes no opId.

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] resvexp:{m}   KEYS[4] ledger:{m}
  ARGV[1]  nowMs   ARGV[2] ledgerMaxLen
  ARGV[3..] reservation ids ('<ratingGroup>|<sessionId>') to report on (the sweeper's index)

  Returns
    {0, {'expired', {reservation id, {bucket, amount returned, ...}, ...},
         'live', {expiresAtMs of each reported id that still exists after this run, else 0}}}
    One ledger entry (op expire, opId 'expire') per reservation that gave something back.
  Refusals {code, detail}
    -9 INVALID_ARGUMENT
  An account that does not exist has no reservations: nothing expires, every id reports 0.
]]
--- @include "args"
--- @include "reservation"
--- @include "tiers"
--- @include "ledger"

local now, maxlen = ARGV[1], ARGV[2]
if not is_uint(now) then
  return refuse(INVALID_ARGUMENT, 'nowMs: a non-negative integer')
end
if not is_pos(maxlen) then
  return refuse(INVALID_ARGUMENT, 'ledgerMaxLen: a positive integer')
end

local expired, live = {}, {}
local acct = account_load(KEYS[1], false, false)
if acct then
  local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, rid in ipairs(due) do
    local tiers, held = resv_load(KEYS[2], rid)
    if tiers then
      unfreeze(acct, tiers, held)
      expired[#expired + 1] = rid
      expired[#expired + 1] = step_amounts(acct, AV)
      local bar = string.find(rid, '|', 1, true)
      ledger_flush(acct, KEYS[4], maxlen, now, 'expire', 'expire', string.sub(rid, bar + 1),
        string.sub(rid, 1, bar - 1), false)
    end
    resv_delete(KEYS[2], KEYS[3], rid)
  end
  account_save(acct)
end
for i = 3, #ARGV do
  local score = acct and redis.call('ZSCORE', KEYS[3], ARGV[i])
  live[#live + 1] = score and tonumber(score) or 0
end
return { OK, { 'expired', expired, 'live', live } }
