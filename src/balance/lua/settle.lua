--[[
  settle: one call per CCR-U / CCR-T, so that a CCR is one script call: deduct the used
  units from the (session, rating group)'s reservation, return what it still holds, and, when
  units are asked for, apply a new grant from fresh tiers. One opId covers all three steps, and
  the ledger gets one 'settle' entry for them (includes/ledger.lua): their net change per bucket
  and what each step counted, written when something changed or usage went uncharged.
  The account is checked again in the same call (RFC 4006 §5.1.2): when it is blocked, lost or
  past its validity, the usage is still charged and the reservation returned, but no new grant
  is made, and the reply says why ('denied').

  KEYS[1]  acct:{m}   KEYS[2] resv:{m}   KEYS[3] ledger:{m}   KEYS[4] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId   ARGV[6] ratingGroup
  ARGV[7]  used          service units used since the last grant (0 when none); '<used>/<after>'
                         when `after` of them were reported after the grant's tariff change
                         (RFC 4006 §8.27), charged at the tier's after price (includes/tiers.lua)
  ARGV[8]  overuse       'charge-available' | 'refuse', as in deduct
  ARGV[9]  units         service units asked for the new grant; 0: no new grant (CCR-T)
  ARGV[10] expiresAtMs   of the new grant (ignored when units is 0)
  ARGV[11] tierCount, then per tier: bucket, unitSize, pricePerUnit, maxUnits ('' none);
           only when units > 0
  then     deadlineMs    of the request, ms since the epoch ('0' or absent: none): with units > 0,
                         the call is refused when Redis's clock is past it (includes/deadline.lua)
  then, optionally (one Redis, not a cluster): the key of the global reservation index and this
  reservation's member in it: the entry then follows the reservation in this call (written with
  the new grant's expiry, removed when no reservation is left); no entry is written for a
  session that the session write below leaves under Tcc supervision, which returns it.
  then, optionally (one Redis): the session write of the request (includes/session-write.lua),
  made when the call succeeds, with the CDR's amounts including those this call charged; its
  record then keeps the result instead of KEYS[4]. Or 'kept', the session's record key: a call
  of a session that carries no write, replayed from the result that record may keep.

  Returns
    {0, {'settled', 0|1 (a reservation was there), 'charged', n, 'uncharged', n,
         'amounts', {bucket, amount, ...}, 'returned', {bucket, amount, ...},
         'releasedExpiresAtMs', expiry of the settled reservation or 0,
         'granted', n, 'final', 0|1, 'creditLimitReached', 0|1, 'expiresAtMs', t or 0,
         'tiers', {bucket, units, amount, ...}, 'moneyAvailable', a, 'denied', code}}
    When the new grant finds nothing affordable the call still succeeds (the usage was charged):
    granted 0, final 1, creditLimitReached 1. denied is 0, or -2 ACCOUNT_BLOCKED, -3 ACCOUNT_LOST,
    -4 ACCOUNT_EXPIRED (by the caller's nowMs): then no grant was made, whatever units asked.
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -7 RESERVATION_NOT_FOUND (used > 0 but no reservation to charge it to)
    -9 INVALID_ARGUMENT (not remembered)
    -13 DEADLINE_PASSED (a new grant asked past the deadline; not remembered: usage and all)
  A replayed opId returns the first result and changes nothing, whatever its deadline.
]]
--- @include "args"
--- @include "idempotency"
--- @include "reservation"
--- @include "tiers"
--- @include "ledger"
--- @include "deadline"
--- @include "session-write"

local opId, now, ttl, maxlen = parse_op(ARGV)
if not opId then
  return refuse(INVALID_ARGUMENT, now)
end
local session, rg, rid = parse_session(ARGV)
if not session then
  return refuse(INVALID_ARGUMENT, rg)
end
local usedArg, afterArg = string.match(ARGV[7] or '', '^(%d+)/(%d+)$')
local used, after = parse_uint(usedArg or ARGV[7]), parse_uint(afterArg or '0')
if not used or not after or after > used then
  return refuse(INVALID_ARGUMENT, "used: a non-negative integer, or '<used>/<after>' with after <= used")
end
local overuse, units, expiresAt = ARGV[8], uint(ARGV[9]), ARGV[10]
if overuse ~= 'charge-available' and overuse ~= 'refuse' then
  return refuse(INVALID_ARGUMENT, "overuse: 'charge-available' or 'refuse'")
end
if not units then
  return refuse(INVALID_ARGUMENT, 'units: a non-negative integer')
end
if not is_uint(expiresAt) then
  return refuse(INVALID_ARGUMENT, 'expiresAtMs: a non-negative integer')
end
local tiers, nextArg = NONE, 11
if units > 0 then
  tiers, nextArg = parse_tiers(ARGV, 11)
  if not tiers then
    return refuse(INVALID_ARGUMENT, nextArg)
  end
end
local deadline
deadline, nextArg = parse_deadline(ARGV, nextArg)
if not deadline then
  return refuse(INVALID_ARGUMENT, nextArg)
end
local index, member = index_args(ARGV, nextArg)
local carried = session_write_at(ARGV, nextArg + 2)
-- The replay is looked for once the arguments are checked, so that one MGET reads the
-- operation's key and the session record: a retransmission carries the same arguments.
local first, stored = kept_reads(KEYS[4], ARGV, nextArg + 2)
local x, kept = kept_of(stored)
local seen = replay_of(first, SETTLE_FIELDS) or kept_reply(x, kept, session, opId, SETTLE_FIELDS)
if seen then
  return seen
end
-- Without a new grant the call only charges usage and gives money back: it is never too late.
local late = units > 0 and ms_past_deadline(deadline) or 0
if late > 0 then
  return refuse(DEADLINE_PASSED, istr(late) .. ' ms late')
end
local exists = session_write_refused(ARGV, carried, stored)
if exists then
  return exists
end

local rtiers, rheld, rexpiresAt = resv_load(KEYS[2], rid)
local acct = account_load(KEYS[1], 'serve', true, rtiers, tiers)
if not acct then
  return remember(KEYS[4], ttl, refuse(ACCOUNT_NOT_FOUND))
end
local denied = account_denial(acct, tonumber(now))
if denied ~= OK then
  units, tiers = 0, NONE
end
if not rtiers and used > 0 then
  return remember(KEYS[4], ttl, refuse(RESERVATION_NOT_FOUND, rid))
end
acct.now = tonumber(now)

local uncharged, amounts, returned, released = 0, NONE, NONE, 0
if rtiers then
  uncharged = deduct_usage(acct, rtiers, rheld, used, overuse, after)
  amounts = step_amounts(acct, SP)
  -- An overuse charged from available moved it too: the return is measured from here.
  local deducted = part_values(acct, AV)
  unfreeze(acct, rtiers, rheld)
  returned = step_amounts(acct, AV, deducted)
  released = tonumber(rexpiresAt)
end

local granted, held, final, limit = 0, NONE, 0, 0
if units > 0 then
  granted, held = freeze(acct, tiers, units)
  if granted == 0 then
    final, limit = 1, 1
  else
    final = can_pay_more(acct, tiers) and 0 or 1
  end
end
local split = after > 0 and '|afterTariffChange=' .. istr(after) or ''
ledger_flush(acct, KEYS[3], maxlen, now, opId, 'settle', session, rg, uncharged > 0,
  '|used=' .. istr(used) .. '|uncharged=' .. istr(uncharged) .. '|granted=' .. istr(granted) .. split)
if granted > 0 then
  resv_save(KEYS[2], rid, expiresAt, tiers, held, false)
  if index and not session_write_supervised(ARGV, carried) then
    redis.call('ZADD', index, expiresAt, member)
  end
elseif rtiers then
  resv_delete(KEYS[2], rid)
  if index then
    redis.call('ZREM', index, member)
  end
end
account_save(acct)
local settled, charged, expires = rtiers and 1 or 0, used - uncharged, granted > 0 and tonumber(expiresAt) or 0
local holds, money = tier_holds(tiers, held), acct.money[AV]
local reply = {
  OK,
  {
    'settled', settled,
    'charged', charged,
    'uncharged', uncharged,
    'amounts', amounts,
    'returned', returned,
    'releasedExpiresAtMs', released,
    'granted', granted,
    'final', final,
    'creditLimitReached', limit,
    'expiresAtMs', expires,
    'tiers', holds,
    'moneyAvailable', money,
    'denied', denied,
  },
}
if carried then
  -- The record keeps the result (includes/session-write.lua).
  TEXTS[12], TEXTS[20], TEXTS[24] = rtiers and rexpiresAt or '0', granted > 0 and expiresAt or '0', avail_text(acct.money)
  session_write(ARGV, carried, amounts, reply[2], TEXTS, x, kept, session, KEYS[4], opId)
  return reply
end
return remember(KEYS[4], ttl, reply)
