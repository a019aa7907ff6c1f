--- @include "integers"
--- @include "account"
--- @include "pending-export"

-- The ledger: one stream entry per balance change, the source for CDRs and audits. An entry
-- has few fields, because each field of an XADD costs twice (in the stream and in the AOF):
--   e     '<op>|<rg>|<availAfter>|<ts>|<d>' then '|<name>=<value>' per extra field, where
--         op   settle | apply | deduct | return | expire | debit (moves between the parts of
--              a bucket) | topup | refund | set | reset | bundle | bundle-expire
--         rg   the reservation's rating group ('' when none)
--         availAfter  available money after the change
--         ts   the caller's clock (ms): scripts never read the server clock
--         d    per bucket deltas 'bucket=dAvail/dResv/dSpent;...', in the order the buckets
--              were loaded (tier order, money last unless a tier uses it)
--         extras  used, uncharged, afterTariffChange, granted, period, charge, bundle, fee
--              (never a '|' in them)
--   i     the operation id of the call
--   s     the reservation's session id, when there is one
--   ref   a top-up's or refund's reference, when there is one
-- A call writes one entry. settle (a CCR-U or CCR-T) writes one for its deduct, return and new
-- grant: d is their net per bucket, so available + reserved + spent is kept as in any move, and
-- the extras say what each step counted: used, uncharged (and afterTariffChange) of the deduct,
-- granted of the new grant (0: none). Steps that cancel out (a grant that freezes again what was
-- returned) change no balance and leave no entry, unless usage went uncharged. Calls made before
-- settle wrote one entry per step (deduct, return, apply, under one operation id); readers take
-- both. expire-reservations writes one entry per reservation it ends.
-- Entries written before this layout have the fields op, opId, session, rg, d, availAfter, ts
-- and the extras by name; src/balance/stored-layout.ts reads both.
--
-- The stream is bounded by time, not count: the exporter (src/export/) writes entries to files
-- and then trims what it wrote once it is older than the window kept in Redis (docs/export.md).
-- To find the accounts with something to export without a SCAN, the first entry of a call also
-- marks the account in the sorted set '<prefix>{export}:pending:ledger' (member the MSISDN,
-- score the entry's time; NX keeps the oldest). That is one command per call, not per entry.
-- In a Redis Cluster that set lies in another slot and Redis refuses the command: pcall keeps the
-- script going, and the exporter finds a cluster's streams by SCAN instead. MAXLEN ~ ledgerMaxLen
-- on the first entry is a safety cap only: it bounds an account's stream when no exporter runs.

-- Writes what changed in the account since its last entry as one entry (if anything changed, or
-- if `force`). key, maxlen, now and opId: the stream and the call's arguments (strings);
-- session and rg strings or nil; extra nil or '|name=value...'; ref a string or nil.
local function ledger_flush(acct, key, maxlen, now, opId, kind, session, rg, force, extra, ref)
  local d, n = '', 0
  for i = 1, #acct do
    local b = acct[i]
    local da, dr, ds = b[AV] - b[AV + MARK], b[RS] - b[RS + MARK], (b[SP] or 0) - (b[SP + MARK] or 0)
    if da ~= 0 or dr ~= 0 or ds ~= 0 then
      local part = b[B_NAME] .. '=' .. istr(da) .. '/' .. istr(dr) .. '/' .. istr(ds)
      if n == 0 then
        d = part
      else
        d = d .. ';' .. part
      end
      n = n + 1
      b[AV + MARK], b[RS + MARK], b[SP + MARK] = b[AV], b[RS], b[SP]
    end
  end
  if n == 0 and not force then
    return
  end
  local e = kind .. '|' .. (rg or '') .. '|' .. avail_text(acct.money) .. '|' .. now .. '|' .. d .. (extra or '')
  local id
  if ref then
    id = redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'e', e, 'i', opId, 's', session or '', 'ref', ref)
  elseif acct.trimmed then
    if session and session ~= '' then
      redis.call('XADD', key, '*', 'e', e, 'i', opId, 's', session)
    else
      redis.call('XADD', key, '*', 'e', e, 'i', opId)
    end
  elseif session and session ~= '' then
    id = redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'e', e, 'i', opId, 's', session)
  else
    id = redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'e', e, 'i', opId)
  end
  if not acct.trimmed then
    mark_unexported(key, 'ledger:{', '{export}:pending:ledger', id)
    acct.trimmed = true
  end
end
