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
  /**
   * The price of a unit used after the tariff change the grant spans (RFC 4006 §8.20);
   * `pricePerUnit` is the price before it.
   */
  priceAfterChange?: number;
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
  /** The tariff destination the called number matched, for the CDR. */
  destination?: string;
  /** When the price changes within the grant (ms): the CCA's Tariff-Time-Change (RFC 4006 §8.20). */
  tariffChangeAtMs?: number;
  /** When the price changes a second time (ms): the grant must be used up by then. */
  validUntilMs?: number;
}

/** The plain prepaid (PPS) tariff of DESIGN §6, one type with its provisioning schema. */
export type { Tariff } from '../catalog/schema.js';

export const MONEY_BUCKET = 'money';

/** The call cannot be priced: no tariff, or no price for the service (5031 RATING_FAILED). */
export class RatingError extends Error {
  override name = 'RatingError';
}

/**
 * The called number matches a barred destination (DESIGN §3): the call or SMS is refused
 * (4010 END_USER_SERVICE_DENIED) and nothing is frozen or charged.
 */
export class BarredDestinationError extends Error {
  override name = 'BarredDestinationError';
  constructor(
    readonly destination: string,
    number: string | undefined,
  ) {
    super(`${number ?? 'the called number'} is in barred destination ${destination}`);
  }
}

/**
 * VPN authentication failed (DESIGN §2): the caller dialled a short number that no group of
 * its own has. The call is refused (4010 END_USER_SERVICE_DENIED) and nothing is charged.
 */
export class VpnAuthenticationError extends Error {
  override name = 'VpnAuthenticationError';
}
