import { MONEY, makeOpId } from '../../balance/index.js';
import { ResultCode } from '../../errors/result-codes.js';
import type { CreditControlAnswer } from '../types.js';
import type { ChargeableEvent } from './event.js';
import { costInformation } from './money.js';
import { priceOfServices } from './pricing.js';

/** REFUND_ACCOUNT (RFC 4006 §6.4): gives back the price of what the request names, or its CC-Money. */
export async function refund(event: ChargeableEvent): Promise<CreditControlAnswer> {
  const priced = await priceOfServices(event);
  if ('refusal' in priced) return priced.refusal.toAnswer();
  const { request, record } = event;
  if (priced.price > 0) {
    await event.charging.store.refund({
      opId: makeOpId(request.sessionId, request.requestNumber, 'refund'),
      msisdn: event.msisdn,
      amount: priced.price,
      nowMs: event.now,
      sessionId: request.sessionId,
    });
    record.amounts[MONEY] = -priced.price;
  }
  return {
    resultCode: ResultCode.SUCCESS,
    services: [],
    costInformation: costInformation(priced.price, event.account.currency),
  };
}
