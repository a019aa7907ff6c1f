import { MONEY } from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import { priceOf } from '../rating/tariff.js';
import type { CallRating } from './call-rating.js';
import { recordOtherParty } from './parties.js';
import { refusalOf } from './refusals.js';
import { noteLevel, type SessionRecord } from './session-record.js';
import type { CreditControlAnswer, CreditControlRequest } from './types.js';

/**
 * RFC 4006 §5.1.1 / DESIGN §2: a user without the prepaid service gets the service without
 * credit control (4011), and what was asked or reported is still recorded, priced as it would
 * be billed. The VPN logic runs first for postpaid members too: a short number in none of
 * their groups is refused (4010); a service the tariff does not price is recorded unpriced.
 */
export async function recordPostpaidUsage(
  record: SessionRecord,
  request: CreditControlRequest,
  callRating: CallRating,
  usage: readonly { ratingGroup: number; units: number }[],
): Promise<void> {
  for (const { ratingGroup, units } of usage) {
    record.used[ratingGroup] = units;
    try {
      const rating = await callRating.rate(ratingGroup, record.tariff);
      recordOtherParty(record, request, rating);
      noteLevel(record, rating.level);
      const price = priceOf(rating, units);
      if (price > 0) record.amounts[MONEY] = (record.amounts[MONEY] ?? 0) + price;
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      if (refusal.resultCode === ResultCode.END_USER_SERVICE_DENIED) throw refusal;
    }
  }
  record.closeReason = 'postpaid';
}

/** RFC 4006 §9 DIAMETER_CREDIT_CONTROL_NOT_APPLICABLE: credit control stops here. */
export function postpaidAnswer(): CreditControlAnswer {
  return {
    resultCode: ResultCode.CREDIT_CONTROL_NOT_APPLICABLE,
    services: [],
    errorMessage: 'subscriber is not prepaid',
  };
}
