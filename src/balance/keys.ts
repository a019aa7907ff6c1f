/**
 * Every Redis key of the balance store is built here and nowhere else.
 *
 * All keys of one account carry the MSISDN as hash tag (`{8613800000001}`), so one script touches
 * one Redis Cluster slot (DESIGN §5). The reservation index is global and lives in its own slot;
 * it is only ever written by single-key commands. ioredis's own `keyPrefix` applies only to
 * arguments passed as KEYS, so the store applies its prefix here and passes every key as KEYS.
 */

import { isChargeReference } from './charge-reference.js';

/** Characters that would break the hash tag or the `|` separators of reservation ids. */
const MSISDN = /^[^{}|\s]{1,64}$/;

export function assertMsisdn(msisdn: string): void {
  if (!MSISDN.test(msisdn)) {
    throw new RangeError(`msisdn ${JSON.stringify(msisdn)}: 1 to 64 characters, no braces, '|' or spaces`);
  }
}

/** `<ratingGroup>|<sessionId>`: the rating group comes first so that the split is unambiguous. */
export function reservationId(sessionId: string, ratingGroup: number): string {
  return `${ratingGroup}|${sessionId}`;
}

export function parseReservationId(id: string): { sessionId: string; ratingGroup: number } {
  const bar = id.indexOf('|');
  return { ratingGroup: Number(id.slice(0, bar)), sessionId: id.slice(bar + 1) };
}

/** Member of the global reservation index: `<msisdn>|<ratingGroup>|<sessionId>`. */
export function indexMember(msisdn: string, sessionId: string, ratingGroup: number): string {
  return `${msisdn}|${reservationId(sessionId, ratingGroup)}`;
}

export function parseIndexMember(member: string): { msisdn: string; reservationId: string } {
  const bar = member.indexOf('|');
  return { msisdn: member.slice(0, bar), reservationId: member.slice(bar + 1) };
}

export interface AccountKeys {
  /** Hash: attributes and `avail:<bucket>`, `resv:<bucket>`, `spent:<bucket>`. */
  account: string;
  /** Hash: one field per reservation id holding its expiry (ms) and encoded tiers. */
  reservations: string;
  /** Stream: one entry per balance change. */
  ledger: string;
}

export class Keys {
  constructor(readonly prefix = '') {}

  account(msisdn: string): AccountKeys {
    assertMsisdn(msisdn);
    const tag = `{${msisdn}}`;
    return {
      account: `${this.prefix}acct:${tag}`,
      reservations: `${this.prefix}resv:${tag}`,
      ledger: `${this.prefix}ledger:${tag}`,
    };
  }

  /**
   * Hash in the account's slot: the bundles the account holds (src/bundles/keys.ts); read with
   * authenticate, so that a CCR-I rates them without a command of its own.
   */
  bundles(msisdn: string): string {
    assertMsisdn(msisdn);
    return `${this.prefix}bundles:{${msisdn}}`;
  }

  /** String holding the first result of an operation, so that a replay returns it unchanged. */
  operation(msisdn: string, opId: string): string {
    assertMsisdn(msisdn);
    return `${this.prefix}op:{${msisdn}}:${opId}`;
  }

  /**
   * Hash of a charge that may be refunded by its reference (TS 32.299 Refund-Information):
   * what it took in money and what was refunded against it, in the account's slot, so that the
   * refund's check and credit are one script.
   */
  charge(msisdn: string, reference: string): string {
    assertMsisdn(msisdn);
    if (!isChargeReference(reference)) throw new RangeError('charge reference: 32 lowercase hex digits');
    return `${this.prefix}charge:{${msisdn}}:${reference}`;
  }

  /**
   * Sorted set of reservations that may still hold money, score = expiry (ms). On one Redis the
   * scripts write it with each reservation, but for those of a session under Tcc supervision,
   * which supervision returns; in a cluster it is written before each reservation is made. The
   * sweeper drops the entries that no longer match a reservation.
   */
  reservationIndex(): string {
    return `${this.prefix}resv-index`;
  }

  /**
   * String: the money frozen by currency, as the last scrape that summed it found it (JSON
   * pairs), kept a few seconds for the other instances' scrapes (reserved-money.ts).
   */
  reservedMoneySnapshot(): string {
    return `${this.prefix}resv-money-snapshot`;
  }

  /**
   * The reservation index as the scripts get it on one Redis: an ARGV, not a KEY, so the
   * client's own keyPrefix, which ioredis adds to KEYS only, is put in front here.
   */
  reservationIndexArgument(clientPrefix = ''): string {
    return `${clientPrefix}${this.reservationIndex()}`;
  }
}
