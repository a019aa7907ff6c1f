-- Outcome codes, mirrored one for one by BalanceCode in src/balance/errors.ts.
local OK = 0
local ACCOUNT_NOT_FOUND = -1
local ACCOUNT_BLOCKED = -2
local ACCOUNT_LOST = -3
local ACCOUNT_EXPIRED = -4
local BELOW_MIN_THRESHOLD = -5
local CREDIT_LIMIT_REACHED = -6
local RESERVATION_NOT_FOUND = -7
local INSUFFICIENT_FUNDS = -8
local INVALID_ARGUMENT = -9
local ACCOUNT_POSTPAID = -10
local RESERVATION_EXISTS = -11
-- Answered by the guard around a guarded call (src/balance/scripts.ts), not by a script.
local GUARD_FAILED = -12
-- A freezing call that ran after its request's deadline (includes/deadline.lua).
local DEADLINE_PASSED = -13
-- A refund naming a charge (TS 32.299 Refund-Information) that this account does not hold:
-- never made, made for another account, or past the time charges are kept (includes/charge.lua).
local CHARGE_UNKNOWN = -14
-- A refund above what the charge it names took, less what was refunded against it already.
local REFUND_ABOVE_CHARGE = -15

-- A refusal: {code, detail}. A success is {OK, {name, value, ...}}.
local function refuse(code, detail)
  return { code, detail or '' }
end
