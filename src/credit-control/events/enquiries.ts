import { ResultCode } from '../../errors/result-codes.js';
import type { CreditControlAnswer } from '../types.js';
import type { ChargeableEvent } from './event.js';
import { costInformation } from './money.js';
import { availableByBucket, priceOfServices } from './pricing.js';

/**
 * Enquiries are priced against the free credit the account still has, for the called party
 * the request names and at its Event-Timestamp when it gives one (a price asked for tonight's
 * call is the night band's), else now.
 */
async function priceNow(event: ChargeableEvent) {
  const available = availableByBucket(await event.charging.store.getAccount(event.msisdn));
  return priceOfServices(event, available, event.request.eventTimestamp?.getTime());
}

/** PRICE_ENQUIRY (RFC 4006 §6.5): the cost of what the request names, moving no money. */
export async function priceEnquiry(event: ChargeableEvent): Promise<CreditControlAnswer> {
  const priced = await priceNow(event);
  if ('refusal' in priced) return priced.refusal.toAnswer();
  return {
    resultCode: ResultCode.SUCCESS,
    services: [],
    costInformation: costInformation(priced.price, event.account.currency),
  };
}

/**
 * CHECK_BALANCE (RFC 4006 §6.5): whether the account can pay for what the request names
 * (at least one minor unit when it names something free), moving no money. What its bundles
 * hold in full is paid for already.
 */
export async function checkBalance(event: ChargeableEvent): Promise<CreditControlAnswer> {
  const priced = await priceNow(event);
  if ('refusal' in priced) return priced.refusal.toAnswer();
  const spendable = event.account.available - event.account.minThreshold;
  return {
    resultCode: ResultCode.SUCCESS,
    services: [],
    checkBalanceResult:
      priced.coveredByBundles || spendable >= Math.max(priced.price, 1) ? 'enough-credit' : 'no-credit',
  };
}
