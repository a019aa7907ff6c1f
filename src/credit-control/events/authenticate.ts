import { BalanceCode, BalanceError, MONEY, type AuthResult } from '../../balance/index.js';
import type { Charging } from '../context.js';
import type { RequestedAction } from '../types.js';

/**
 * The authenticate step of an event. An account below its minimum threshold may not spend, but
 * it may still be refunded (RFC 4006 §6.4), have its balance checked (§6.5: NO_CREDIT, not a
 * refusal) and ask a price: for those actions only the threshold check is left out. Status and
 * validity still refuse every action (they are checked before the threshold).
 */
export async function authenticateFor(
  charging: Charging,
  msisdn: string,
  now: number,
  action: RequestedAction,
): Promise<AuthResult> {
  const { store } = charging;
  try {
    return await store.authenticate(msisdn, now);
  } catch (err) {
    const belowThreshold = err instanceof BalanceError && err.code === BalanceCode.BELOW_MIN_THRESHOLD;
    if (!belowThreshold || action === 'direct-debiting') throw err;
    const view = await store.getAccount(msisdn);
    if (!view) throw err;
    const money = view.buckets[MONEY] ?? { available: 0, reserved: 0, spent: 0 };
    return {
      status: 'active',
      prepaid: view.prepaid,
      tariff: view.tariff,
      currency: view.currency,
      available: money.available,
      reserved: money.reserved,
      validUntil: view.validUntil,
      minThreshold: view.minThreshold,
    };
  }
}
