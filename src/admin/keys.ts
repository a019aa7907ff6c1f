/**
 * The Redis keys of the admin API, built here only. They carry the account's MSISDN as hash tag
 * like the balance store's keys, so they live in the account's Redis Cluster slot.
 */
import { assertMsisdn } from '../balance/keys.js';

export class AdminKeys {
  constructor(readonly prefix = '') {}

  /** String: a token, held while an admin request creates or changes the account's attributes. */
  accountLock(msisdn: string): string {
    assertMsisdn(msisdn);
    return `${this.prefix}admin:{${msisdn}}:lock`;
  }

  /**
   * String: what a client reference of a top-up or refund first asked for (`amount bucket`), or
   * of a bundle purchase (the bundle's id), so that the same reference asking for something else
   * is refused instead of answered with the first.
   */
  reference(msisdn: string, kind: 'topup' | 'refund' | 'bundle', reference: string): string {
    assertMsisdn(msisdn);
    return `${this.prefix}admin:{${msisdn}}:ref:${kind}:${reference}`;
  }
}
