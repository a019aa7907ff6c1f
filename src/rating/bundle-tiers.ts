/**
 * Bundles in rating (DESIGN §3, Bundles): the units of an account's bundles are tiers in front
 * of the money tier of a plain tariff rating, the one ending soonest first, so that a grant
 * takes from them before money and can run on from the last bundle into money without a gap.
 * Pure: the rater loads the account's bundles and the time.
 */
import type { ChargedService, Rating, Tier } from './types.js';

/** A bundle the account holds, as rating needs it (src/bundles/model.ts BundleTerms). */
export interface BundleHolding {
  /** The balance bucket of its units; its name carries its end, which the balance script checks too. */
  bucket: string;
  service: 'data' | 'voice' | 'sms';
  ratingGroups?: readonly string[] | undefined;
  destinations?: readonly string[] | undefined;
  endsAtMs: number;
}

/**
 * At most this many bundle tiers in one grant (the balance scripts take 16 tiers in all): an
 * account rarely holds more than a few bundles for one service.
 */
export const MAX_BUNDLE_TIERS = 8;

/** Whether a bundle pays for this leg: its service, rating group or destination. */
export function bundleApplies(
  b: BundleHolding,
  service: ChargedService,
  destination: string | undefined,
): boolean {
  if (b.service !== service.kind) return false;
  switch (service.kind) {
    case 'data':
      return !b.ratingGroups || b.ratingGroups.includes(String(service.ratingGroup));
    case 'voice':
      // Minutes of a bundle are calls made: a terminating leg is not the holder's call.
      if (service.role !== 'originating') return false;
      return !b.destinations || (destination !== undefined && b.destinations.includes(destination));
    case 'sms':
      return !b.destinations || (destination !== undefined && b.destinations.includes(destination));
  }
}

/**
 * The rating with the bundles that pay for the leg in front of its tiers, the one ending
 * soonest first; those ended at `nowMs` are left out. A bundle's unit is the tariff's (a
 * started unit of the tariff takes a whole unit of the bundle, as of money), its price the
 * unit's size in the bundle's own units. A leg the tariff gives free (price 0) takes nothing
 * from a bundle; a VPN-preferential rating is the caller's to leave as it is.
 */
export function withBundles(
  rating: Rating,
  service: ChargedService,
  holdings: readonly BundleHolding[],
  nowMs: number,
): Rating {
  const first = rating.tiers[0];
  if (!first || (first.pricePerUnit === 0 && !first.priceAfterChange)) return rating;
  const unitSize = first.unitSize;
  const tiers: Tier[] = holdings
    .filter((b) => b.endsAtMs > nowMs && bundleApplies(b, service, rating.destination))
    .sort((a, b) => a.endsAtMs - b.endsAtMs || (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0))
    .slice(0, MAX_BUNDLE_TIERS)
    .map((b) => ({ bucket: b.bucket, unitSize, pricePerUnit: unitSize }));
  return tiers.length === 0 ? rating : { ...rating, tiers: [...tiers, ...rating.tiers] };
}
