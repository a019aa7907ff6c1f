import { BalanceCode, BalanceError } from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import { RatingError, VpnAuthenticationError } from '../rating/types.js';
import type { CreditControlAnswer, FailedAvpName } from './types.js';

/**
 * Why a request or one of its services could not be charged, as the Result-Code RFC 4006 §9
 * gives for it. Anything else (Redis unreachable, a bug) is not a ChargingRefusal: the
 * service turns it into 5012 UNABLE_TO_COMPLY.
 */
export class ChargingRefusal extends Error {
  override name = 'ChargingRefusal';
  constructor(
    readonly resultCode: number,
    message: string,
    /** The AVP the refusal is about, for Failed-AVP. */
    readonly failedAvp?: FailedAvpName,
  ) {
    super(message);
  }

  /** The answer that reports this refusal at command level. */
  toAnswer(): CreditControlAnswer {
    const answer: CreditControlAnswer = {
      resultCode: this.resultCode,
      services: [],
      errorMessage: this.message,
    };
    if (this.failedAvp) answer.failedAvp = this.failedAvp;
    return answer;
  }
}

const BY_BALANCE_CODE: Partial<Record<BalanceCode, number>> = {
  [BalanceCode.ACCOUNT_NOT_FOUND]: ResultCode.USER_UNKNOWN,
  [BalanceCode.ACCOUNT_BLOCKED]: ResultCode.END_USER_SERVICE_DENIED,
  [BalanceCode.ACCOUNT_LOST]: ResultCode.END_USER_SERVICE_DENIED,
  [BalanceCode.ACCOUNT_EXPIRED]: ResultCode.END_USER_SERVICE_DENIED,
  [BalanceCode.BELOW_MIN_THRESHOLD]: ResultCode.CREDIT_LIMIT_REACHED,
  [BalanceCode.CREDIT_LIMIT_REACHED]: ResultCode.CREDIT_LIMIT_REACHED,
  [BalanceCode.INSUFFICIENT_FUNDS]: ResultCode.CREDIT_LIMIT_REACHED,
  [BalanceCode.ACCOUNT_POSTPAID]: ResultCode.CREDIT_CONTROL_NOT_APPLICABLE,
};

/** The refusal an error stands for, or undefined when it is a failure of ours. */
export function refusalOf(err: unknown): ChargingRefusal | undefined {
  if (err instanceof ChargingRefusal) return err;
  if (err instanceof RatingError) return new ChargingRefusal(ResultCode.RATING_FAILED, err.message);
  if (err instanceof VpnAuthenticationError)
    return new ChargingRefusal(ResultCode.END_USER_SERVICE_DENIED, err.message);
  if (err instanceof BalanceError) {
    const code = BY_BALANCE_CODE[err.code];
    if (code !== undefined) return new ChargingRefusal(code, err.message);
  }
  return undefined;
}
