import type { AccountView } from '../../balance/index.js';
import { priceOf } from '../../rating/tariff.js';
import type { Rating } from '../../rating/types.js';
import { refusalOf, type ChargingRefusal } from '../refusals.js';
import { noteLevel } from '../session-record.js';
import type { ChargeableEvent } from './event.js';
import { moneyInMinorUnits } from './money.js';
import { eventUnits } from './units.js';

/**
 * The money the event's services are worth: a CC-Money amount as given, service units at the
 * price rating gives them at `atMs` (default now). With `available`, free-credit tiers cover
 * only what their buckets still hold (an enquiry is priced against the free credit left; a
 * refund is not).
 */
export async function priceOfServices(
  event: ChargeableEvent,
  available?: Readonly<Record<string, number>>,
  atMs?: number,
): Promise<{ price: number; coveredByBundles: boolean } | { refusal: ChargingRefusal }> {
  const { kind, account, record } = event;
  let price = 0;
  let coveredByBundles = event.services.length > 0;
  let refused: ChargingRefusal | undefined;
  for (const s of event.services) {
    try {
      const money = s.requested?.money;
      const units = money ? 0 : eventUnits(kind, event.action, s.requested, event.charging.settings[kind]);
      const rating = await event.callRating.rate(
        s.ratingGroup ?? 0,
        account.tariff,
        atMs === undefined ? {} : { atMs },
      );
      price += money
        ? moneyInMinorUnits(money.valueDigits, money.exponent, account.currency)
        : priceOf(rating, units, available);
      coveredByBundles &&= !money && available !== undefined && bundlesCover(rating, units, available);
      noteLevel(record, rating.level);
    } catch (err) {
      refused = refusalOf(err);
      if (!refused) throw err;
    }
  }
  return refused ? { refusal: refused } : { price, coveredByBundles };
}

/**
 * Whether the bundle tiers of a rating (those in front of money, DESIGN §3, Bundles) hold all
 * of `units` in what their buckets have left: such a request is paid for already, whatever the
 * money.
 */
export function bundlesCover(
  rating: Rating,
  units: number,
  available: Readonly<Record<string, number>>,
): boolean {
  let left = units;
  for (const tier of rating.tiers) {
    if (left <= 0 || !tier.bucket.startsWith('bundle:')) break;
    const usable = Math.floor((available[tier.bucket] ?? 0) / tier.pricePerUnit);
    left -= Math.min(Math.ceil(left / tier.unitSize), usable) * tier.unitSize;
  }
  return left <= 0;
}

/** What each bucket of the account holds now, for pricing against free credit. */
export function availableByBucket(view: AccountView | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [bucket, b] of Object.entries(view?.buckets ?? {})) out[bucket] = b.available;
  return out;
}
