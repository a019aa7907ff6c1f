--[[
  direct-debit: charge now, without a reservation (RFC 4006 §6.3 DIRECT_DEBITING, CCR-E: SMS,
  one-off fees). Walks the tiers in order like apply, moving whole units from available straight
  to spent; money keeps the minimum threshold.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  sessionId ('' none)   ARGV[6] ratingGroup ('' none)
  ARGV[7]  units          service units to charge, > 0
  ARGV[8]  partial        '0': all or nothing; '1': charge what can be paid for
  ARGV[9]  authenticate   '1': run the authenticate checks first
  ARGV[10] tierCount (1..16), then per tier: bucket, unitSize, pricePerUnit, maxUnits ('' none)
  then     deadlineMs     of the request, ms since the epoch ('0' or absent: none): refused when
                          Redis's clock is past it (includes/deadline.lua)

  Returns
    {0, {'charged', service units paid for, 'uncharged', service units not paid for,
         'amounts', {bucket, amount moved to spent, ...}, 'moneyAvailable', a}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -2 ACCOUNT_BLOCKED, -3 ACCOUNT_LOST, -4 ACCOUNT_EXPIRED, -5 BELOW_MIN_THRESHOLD,
    -10 ACCOUNT_POSTPAID  (only with authenticate)
    -8 INSUFFICIENT_FUNDS (all or nothing, and not all affordable: RFC 4006 answers 4012)
    -6 CREDIT_LIMIT_REACHED (partial, and not one unit affordable)
    -9 INVALID_ARGUMENT (not remembered)
    -13 DEADLINE_PASSED (not remembered: a retransmission with a new deadline may run)
  A replayed opId returns the first result and changes nothing, whatever its deadline.
]]
--- @include "debit"

return direct_debit(KEYS, ARGV, nil)
