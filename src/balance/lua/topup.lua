--[[
  topup: add an amount to the available part of a bucket (money by default).

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>
  ARGV[1]  opId   ARGV[2] nowMs   ARGV[3] opTtlSeconds   ARGV[4] ledgerMaxLen
  ARGV[5]  bucket   ARGV[6] amount (> 0)   ARGV[7] reference ('' none)   ARGV[8] sessionId ('' none)

  Returns  {0, {'bucket', b, 'available', available after}}
  Refusals {code, detail}, nothing changed
    -1 ACCOUNT_NOT_FOUND
    -9 INVALID_ARGUMENT (also when the bucket would pass 999999999999999; not remembered)
  A replayed opId returns the first result and changes nothing.
]]
--- @include "credit"

return credit('topup', KEYS, ARGV)
