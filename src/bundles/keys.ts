/** The Redis keys of bundles, built here only (DESIGN §5, Keys). */
import { Keys } from '../balance/keys.js';

export class BundleKeys {
  constructor(readonly prefix = '') {}

  /** Hash: bundle id -> JSON definition (src/catalog/bundles.ts). */
  definitions(): string {
    return `${this.prefix}cfg:bundles`;
  }

  /**
   * Hash in the account's slot: per bundle held, its bucket name -> the terms bought (JSON), and
   * per calendar-month bundle `renew:<id>` -> the last month paid for.
   */
  account(msisdn: string): string {
    return new Keys(this.prefix).bundles(msisdn);
  }

  /** Set: the MSISDNs that hold or renew a bundle, for the monthly run. */
  holders(): string {
    return `${this.prefix}bundle-holders`;
  }
}
