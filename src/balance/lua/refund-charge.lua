--[[
  refund-charge: a refund that names an earlier charge (RFC 4006 REFUND_ACCOUNT carrying the
  TS 32.299 §7.2.171 Refund-Information of a refundable-debit): money back, bounded by what that
  charge took less what was refunded against it already. The check and the credit are one
  step, so refunds running at once against one charge never add up to more than it.

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>   KEYS[4] charge:{m}:<reference>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  bucket ('money')   ARGV[6] amount (> 0)   ARGV[7] reference (the end of KEYS[4])
  ARGV[8]  sessionId ('' none)

  Returns  {0, {'bucket', 'money', 'available', available after, 'refundable', left after}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -14 CHARGE_UNKNOWN (no such charge in this account: never made, another account's, or expired)
    -15 REFUND_ABOVE_CHARGE (the amount is above what may still be refunded against the charge)
    -9 INVALID_ARGUMENT (also when the bucket would pass 999999999999999; not remembered)
  A replayed opId returns the first result and changes nothing.
]]
--- @include "credit"

return credit('refund', KEYS, ARGV, KEYS[4])
