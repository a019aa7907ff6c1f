/**
 * One step of a price list for the balance store (DESIGN §3): `unitSize` service units
 * (seconds, octets, messages) make one charged unit, and one started unit costs
 * `pricePerUnit` of `bucket`. Price 0 means the units are free and unlimited.
 */
export interface Tier {
  bucket: string;
  unitSize: number;
  pricePerUnit: number;
  /** Caps the units this tier may cover (e.g. a free-credit level). */
  maxUnits?: number;
}

/** What is being charged, as the rating step needs to know it. */
export type ChargedService =
  | { kind: 'voice'; role: 'originating' | 'terminating' }
  | { kind: 'sms' }
  | { kind: 'data'; ratingGroup: number };

/** The result of rating a leg: the tiers, in the order they are spent, and what was applied. */
export interface Rating {
  tiers: Tier[];
  /** A short label for the CDR: which tariff or package level applied. */
  level: string;
  /** The other party's number as rated: a short number resolved to its long form. */
  otherParty?: string;
}

/** The plain prepaid (PPS) tariff of DESIGN §6. Prices are integers in minor units. */
export interface Tariff {
  id: string;
  /** ISO 4217 alphabetic code, e.g. CNY. */
  currency: string;
  voice?: { unitSeconds: number; pricePerUnit: number; terminatingPricePerUnit?: number };
  sms?: { pricePerMessage: number };
  data?: { ratingGroups: Record<string, { unitOctets: number; pricePerUnit: number }> };
}

export const MONEY_BUCKET = 'money';

export class RatingError extends Error {
  override name = 'RatingError';
}
