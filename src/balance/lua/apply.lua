--[[
  apply: the patent's fee-applying interface (DESIGN §2): freeze whole units for one
  (session, rating group), walking the tiers in order, as far as the account can pay. For CCR-I,
  optionally with the authenticate checks in the same call.

  KEYS[1]  acct:{m}           account hash
  KEYS[2]  resv:{m}           reservations hash
  KEYS[3]  ledger:{m}         ledger stream
  KEYS[4]  op:{m}:<opId>      first result of this operation
  ARGV[1]  opId
  ARGV[2]  nowMs
  ARGV[3]  opTtlSeconds
  ARGV[4]  ledgerMaxLen
  ARGV[5]  sessionId
  ARGV[6]  ratingGroup
  ARGV[7]  units              service units asked for, > 0
  ARGV[8]  expiresAtMs        after this the sweeper gives the reservation back
  ARGV[9]  authenticate       '1': run the authenticate checks first
  ARGV[10] tierCount (1..16), then per tier: bucket, unitSize, pricePerUnit, maxUnits ('' none)
  then     deadlineMs         of the request, ms since the epoch ('0' or absent: none): refused
                              when Redis's clock is past it (includes/deadline.lua)
  then, optionally (one Redis, not a cluster): the key of the global reservation index and this
  reservation's member in it: the entry is then written with the reservation, in this call,
  unless the session write below leaves the session under Tcc supervision, which returns it.
  then, optionally (one Redis): the session write of the request (includes/session-write.lua),
  made when a grant is made; its 'absent' condition is checked before the operation's replay;
  its record then keeps the result instead of KEYS[4]. Or 'kept', the session's record key: a
  call of a session that carries no write, replayed from the result that record may keep.

  Returns
    {0, {'granted', service units, 'final', 0|1, 'expiresAtMs', t,
         'tiers', {bucket, units, amount, ...}, 'moneyAvailable', a}}
    granted may exceed units by less than one unit (whole units only); final is 1 when no tier
    can pay for one more unit after this grant.
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -2 ACCOUNT_BLOCKED, -3 ACCOUNT_LOST, -4 ACCOUNT_EXPIRED, -5 BELOW_MIN_THRESHOLD,
    -10 ACCOUNT_POSTPAID   (only with authenticate)
    -11 RESERVATION_EXISTS (settle the existing one instead)
    -6 CREDIT_LIMIT_REACHED (not one unit affordable)
    -9 INVALID_ARGUMENT    (not remembered under the opId)
    -13 DEADLINE_PASSED    (not remembered: a retransmission with a new deadline may run)
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
local units, expiresAt = uint(ARGV[7]), ARGV[8]
if not units or units < 1 then
  return refuse(INVALID_ARGUMENT, 'units: a positive integer')
end
if not is_uint(expiresAt) then
  return refuse(INVALID_ARGUMENT, 'expiresAtMs: a non-negative integer')
end
local tiers, nextArg = parse_tiers(ARGV, 10)
if not tiers then
  return refuse(INVALID_ARGUMENT, nextArg)
end
local deadline
deadline, nextArg = parse_deadline(ARGV, nextArg)
if not deadline then
  return refuse(INVALID_ARGUMENT, nextArg)
end
local index, member = index_args(ARGV, nextArg)
local carried = session_write_at(ARGV, nextArg + 2)
local first, stored = kept_reads(KEYS[4], ARGV, nextArg + 2)
-- Before the replay: a CCR-I that opens its session without reading it first is answered from
-- the session record when one exists (a retransmission, a duplicate), never from this operation.
local exists = session_write_refused(ARGV, carried, stored)
if exists then
  return exists
end
local x, kept = kept_of(stored)
local seen = replay_of(first, APPLY_FIELDS) or kept_reply(x, kept, session, opId, APPLY_FIELDS)
if seen then
  return seen
end
local late = ms_past_deadline(deadline)
if late > 0 then
  return refuse(DEADLINE_PASSED, istr(late) .. ' ms late')
end

local authenticate = ARGV[9] == '1'
local acct = account_load(KEYS[1], authenticate and 'serve', false, tiers)
local checked = charge_check(acct, authenticate, tonumber(now))
if checked ~= OK then
  return remember(KEYS[4], ttl, refuse(checked))
end
acct.now = tonumber(now)

-- The grant is worked out in memory first; creating the reservation (HSETNX) then also tells
-- whether the pair already had one, in which case nothing has been written.
local granted, held = freeze(acct, tiers, units)
if granted == 0 then
  if redis.call('HEXISTS', KEYS[2], rid) == 1 then
    return remember(KEYS[4], ttl, refuse(RESERVATION_EXISTS, rid))
  end
  return remember(KEYS[4], ttl, refuse(CREDIT_LIMIT_REACHED))
end
if not resv_save(KEYS[2], rid, expiresAt, tiers, held, true) then
  return remember(KEYS[4], ttl, refuse(RESERVATION_EXISTS, rid))
end
if index and not session_write_supervised(ARGV, carried) then
  redis.call('ZADD', index, expiresAt, member)
end
local final = can_pay_more(acct, tiers) and 0 or 1
ledger_flush(acct, KEYS[3], maxlen, now, opId, 'apply', session, rg, false, '|granted=' .. istr(granted))
account_save(acct)
local expires, holds, money = tonumber(expiresAt), tier_holds(tiers, held), acct.money[AV]
local reply = {
  OK,
  { 'granted', granted, 'final', final, 'expiresAtMs', expires, 'tiers', holds, 'moneyAvailable', money },
}
if carried then
  -- The record keeps the result (includes/session-write.lua).
  TEXTS[6], TEXTS[10] = expiresAt, avail_text(acct.money)
  session_write(ARGV, carried, NONE, reply[2], TEXTS, x, kept, session, KEYS[4], opId)
  return reply
end
return remember(KEYS[4], ttl, reply)
