import { BalanceCode, BalanceError } from '../balance/index.js';
import { catalogueCode, entryOf, type ErrorCode } from '../errors/catalogue.js';
import { BarredDestinationError, RatingError, VpnAuthenticationError } from '../rating/types.js';
import type { CreditControlAnswer, FailedAvpName } from './types.js';

/**
 * Why a request or one of its services could not be charged: an entry of the error catalogue
 * that carries a Result-Code (RFC 4006 §9). Anything else (Redis unreachable, a bug) is not a
 * ChargingRefusal: the service turns it into 5012 UNABLE_TO_COMPLY.
 */
export class ChargingRefusal extends Error {
  override name = 'ChargingRefusal';
  readonly resultCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The AVP the refusal is about, for Failed-AVP. */
    readonly failedAvp?: FailedAvpName,
  ) {
    super(message);
    const resultCode = entryOf(code).resultCode;
    if (resultCode === undefined) throw new Error(`${code} is not a refusal a Diameter answer can carry`);
    this.resultCode = resultCode;
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

/** The catalogue entry of an error of the charging path, when it is a refusal rather than a fault. */
function refusalCode(err: unknown): ErrorCode | undefined {
  if (err instanceof RatingError) return 'RATING_FAILED';
  if (err instanceof VpnAuthenticationError) return 'VPN_AUTHENTICATION_FAILED';
  if (err instanceof BarredDestinationError) return 'DESTINATION_BARRED';
  // The balance scripts' codes are named after catalogue entries.
  if (err instanceof BalanceError) return catalogueCode(BalanceCode[err.code]);
  return undefined;
}

/** The refusal an error stands for, or undefined when it is a failure of ours. */
export function refusalOf(err: unknown): ChargingRefusal | undefined {
  if (err instanceof ChargingRefusal) return err;
  const code = refusalCode(err);
  if (code === undefined || entryOf(code).resultCode === undefined) return undefined;
  return new ChargingRefusal(code, err instanceof Error ? err.message : String(err));
}
