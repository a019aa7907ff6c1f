import { MONEY, makeOpId } from '../../balance/index.js';
import { ResultCode } from '../../errors/result-codes.js';
import { ChargingRefusal, refusalOf } from '../refusals.js';
import type { CreditControlAnswer } from '../types.js';
import { chargeNamed, mayRefund } from './charge-references.js';
import type { ChargeableEvent } from './event.js';
import { costInformation } from './money.js';
import { priceOfServices } from './pricing.js';

/**
 * REFUND_ACCOUNT (RFC 4006 §6.4): gives back the price of what the request names, or its
 * CC-Money. A refund creates money, so only a peer the charging settings name may ask for one,
 * and no more than their bound per request; one that names an earlier charge (TS 32.299
 * Refund-Information) no more than that charge took, less what was refunded against it.
 */
export async function refund(event: ChargeableEvent): Promise<CreditControlAnswer> {
  const { request, record } = event;
  const { refunds } = event.charging.settings;
  if (!mayRefund(request, refunds))
    return new ChargingRefusal(
      'REFUND_NOT_ALLOWED',
      `peer ${request.peer ?? '(unknown)'} may not refund`,
    ).toAnswer();
  const named = chargeNamed(request);
  if ('refusal' in named) return named.refusal.toAnswer();
  const priced = await priceOfServices(event);
  if ('refusal' in priced) return priced.refusal.toAnswer();
  if (priced.price > refunds.maxPerRequest)
    return new ChargingRefusal(
      'REFUND_TOO_LARGE',
      `a refund of ${priced.price} is above the most one request may credit, ${refunds.maxPerRequest}`,
    ).toAnswer();
  if (priced.price > 0) {
    const credit = {
      opId: makeOpId(request.sessionId, request.requestNumber, 'refund'),
      msisdn: event.msisdn,
      amount: priced.price,
      nowMs: event.now,
      sessionId: request.sessionId,
    };
    if (named.charge === undefined) await event.charging.store.refund(credit);
    else {
      try {
        await event.charging.store.refundCharge({ ...credit, charge: named.charge });
      } catch (err) {
        // An unknown charge, or one refunded in full already: 4010, nothing credited.
        const refusal = refusalOf(err);
        if (!refusal) throw err;
        return refusal.toAnswer();
      }
    }
    record.amounts[MONEY] = -priced.price;
  }
  return {
    resultCode: ResultCode.SUCCESS,
    services: [],
    costInformation: costInformation(priced.price, event.account.currency),
  };
}
