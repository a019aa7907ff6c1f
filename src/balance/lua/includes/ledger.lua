--- @include "integers"

-- The ledger: one stream entry per balance change, the source for CDRs and audits. Fields:
--   op          apply | deduct | return | topup | refund | debit | set | reset | expire
--   opId        the operation id of the call (one call may write several entries, e.g. settle)
--   session, rg the reservation's session id and rating group ('' when none)
--   d           per bucket deltas 'bucket=dAvail/dResv/dSpent;...', in the order first touched
--   availAfter  available money after the change
--   ts          the caller's clock (ms): scripts never read the server clock
-- then extra name/value pairs of the operation (used, uncharged, granted, ref, period).
-- The stream is capped with MAXLEN ~ ledgerMaxLen.

-- Writes the account's current step as one entry (if anything changed, or if `force`), then
-- starts a new step. L = { key, maxlen, now, opId }.
local function ledger_flush(acct, L, op, session, rg, extra, force)
  local parts = {}
  for _, name in ipairs(acct.stepOrder) do
    local d = acct.step[name]
    if d[1] ~= 0 or d[2] ~= 0 or d[3] ~= 0 then
      parts[#parts + 1] = name .. '=' .. istr(d[1]) .. '/' .. istr(d[2]) .. '/' .. istr(d[3])
    end
  end
  acct.step, acct.stepOrder = {}, {}
  if #parts == 0 and not force then
    return
  end
  local args = {
    'XADD', L.key, 'MAXLEN', '~', istr(L.maxlen), '*',
    'op', op,
    'opId', L.opId,
    'session', session or '',
    'rg', rg and istr(rg) or '',
    'd', table.concat(parts, ';'),
    'availAfter', istr(acct.buckets.money.avail),
    'ts', istr(L.now),
  }
  for _, v in ipairs(extra or {}) do
    args[#args + 1] = v
  end
  redis.call(unpack(args))
end
