--[[
  refundable-debit: direct-debit, and the charge kept for refunds that name it (TS 32.299
  §7.2.171 Refund-Information), in the same step: what the debit took in money is kept under
  KEYS[4] for keepSeconds, and the reply names its reference (includes/charge.lua).

  KEYS[1]  acct:{m}   KEYS[2] ledger:{m}   KEYS[3] op:{m}:<opId>   KEYS[4] charge:{m}:<reference>
  ARGV[1..]  as direct-debit, the deadline always given ('0': none), then
             reference    32 lowercase hex digits, the end of KEYS[4]
             keepSeconds  how long the charge may be refunded, > 0

  Returns
    {0, {'charged', c, 'uncharged', u, 'amounts', {bucket, amount, ...}, 'moneyAvailable', a,
         'charge', reference}}; the debit's ledger entry has the extra field charge=<reference>
  Refusals {code, detail}, nothing changed: those of direct-debit
  A replayed opId returns the first result, with the first reference, and changes nothing.
]]
--- @include "debit"

return direct_debit(KEYS, ARGV, KEYS[4])
