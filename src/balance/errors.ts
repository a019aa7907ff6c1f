/**
 * Outcome codes of the balance scripts. The values mirror `lua/includes/codes.lua` one for one
 * (a unit test compares the two files); `errorFromCode` is the one place a code becomes an error.
 */
export enum BalanceCode {
  OK = 0,
  ACCOUNT_NOT_FOUND = -1,
  ACCOUNT_BLOCKED = -2,
  ACCOUNT_LOST = -3,
  ACCOUNT_EXPIRED = -4,
  BELOW_MIN_THRESHOLD = -5,
  CREDIT_LIMIT_REACHED = -6,
  RESERVATION_NOT_FOUND = -7,
  INSUFFICIENT_FUNDS = -8,
  INVALID_ARGUMENT = -9,
  ACCOUNT_POSTPAID = -10,
  RESERVATION_EXISTS = -11,
  GUARD_FAILED = -12,
  DEADLINE_PASSED = -13,
  CHARGE_UNKNOWN = -14,
  REFUND_ABOVE_CHARGE = -15,
}

export class BalanceError extends Error {
  constructor(
    readonly code: BalanceCode,
    message: string,
    readonly detail = '',
  ) {
    super(detail ? `${message}: ${detail}` : message);
    this.name = new.target.name;
  }
}

export class AccountNotFoundError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.ACCOUNT_NOT_FOUND, 'account not found', detail);
  }
}

export class AccountBlockedError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.ACCOUNT_BLOCKED, 'account blocked', detail);
  }
}

export class AccountLostError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.ACCOUNT_LOST, 'account reported lost', detail);
  }
}

export class AccountExpiredError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.ACCOUNT_EXPIRED, 'account past its validity date', detail);
  }
}

export class BelowMinimumThresholdError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.BELOW_MIN_THRESHOLD, 'balance below the minimum threshold', detail);
  }
}

/** Not one more unit can be paid for (RFC 4006 DIAMETER_CREDIT_LIMIT_REACHED, 4012). */
export class CreditLimitReachedError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.CREDIT_LIMIT_REACHED, 'credit limit reached', detail);
  }
}

export class ReservationNotFoundError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.RESERVATION_NOT_FOUND, 'reservation not found', detail);
  }
}

/** An all-or-nothing debit could not be covered in full; nothing was charged. */
export class InsufficientFundsError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.INSUFFICIENT_FUNDS, 'insufficient funds', detail);
  }
}

export class InvalidArgumentError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.INVALID_ARGUMENT, 'invalid argument', detail);
  }
}

/** A charge with authentication on a postpaid account: credit control does not apply (4011). */
export class AccountPostpaidError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.ACCOUNT_POSTPAID, 'account is postpaid', detail);
  }
}

/** The (session, rating group) already holds a reservation; settle it instead of applying again. */
export class ReservationExistsError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.RESERVATION_EXISTS, 'reservation already exists', detail);
  }
}

/** A guarded call found its guard key changed (another writer was first); nothing changed. */
export class GuardFailedError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.GUARD_FAILED, 'guard failed', detail);
  }
}

/**
 * A freezing call (apply, settle with a new grant, direct debit) ran after its request's
 * deadline, by Redis's clock: the client has had its answer (5012), so nothing was changed.
 */
export class DeadlinePassedError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.DEADLINE_PASSED, "the request's deadline passed before the store ran it", detail);
  }
}

/**
 * A refund names a charge (TS 32.299 Refund-Information) this account does not hold: never
 * made here, made for another account, or kept no longer.
 */
export class ChargeUnknownError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.CHARGE_UNKNOWN, 'no such charge of the account', detail);
  }
}

/** A refund above what the charge it names took, less what was refunded against it already. */
export class RefundAboveChargeError extends BalanceError {
  constructor(detail = '') {
    super(BalanceCode.REFUND_ABOVE_CHARGE, 'refund above the charge it names', detail);
  }
}

const byCode: Record<Exclude<BalanceCode, BalanceCode.OK>, new (detail?: string) => BalanceError> = {
  [BalanceCode.ACCOUNT_NOT_FOUND]: AccountNotFoundError,
  [BalanceCode.ACCOUNT_BLOCKED]: AccountBlockedError,
  [BalanceCode.ACCOUNT_LOST]: AccountLostError,
  [BalanceCode.ACCOUNT_EXPIRED]: AccountExpiredError,
  [BalanceCode.BELOW_MIN_THRESHOLD]: BelowMinimumThresholdError,
  [BalanceCode.CREDIT_LIMIT_REACHED]: CreditLimitReachedError,
  [BalanceCode.RESERVATION_NOT_FOUND]: ReservationNotFoundError,
  [BalanceCode.INSUFFICIENT_FUNDS]: InsufficientFundsError,
  [BalanceCode.INVALID_ARGUMENT]: InvalidArgumentError,
  [BalanceCode.ACCOUNT_POSTPAID]: AccountPostpaidError,
  [BalanceCode.RESERVATION_EXISTS]: ReservationExistsError,
  [BalanceCode.GUARD_FAILED]: GuardFailedError,
  [BalanceCode.DEADLINE_PASSED]: DeadlinePassedError,
  [BalanceCode.CHARGE_UNKNOWN]: ChargeUnknownError,
  [BalanceCode.REFUND_ABOVE_CHARGE]: RefundAboveChargeError,
};

/** The typed error for a negative script code; an unknown code is a bug, reported as such. */
export function errorFromCode(code: number, detail = ''): BalanceError {
  const ErrorClass = byCode[code as Exclude<BalanceCode, BalanceCode.OK>];
  if (!ErrorClass) throw new Error(`balance script returned unknown code ${code} (${detail})`);
  return new ErrorClass(detail);
}
