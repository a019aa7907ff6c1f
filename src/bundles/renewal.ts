/**
 * The bundles step of the monthly run (DESIGN §3, Bundles): every account that holds a bundle
 * has its ended ones cleared, and each calendar-month bundle paid through the month before is
 * bought again for this month when its fee can be paid. One unpaid month ends the renewal: a
 * run of the following month finds it lapsed. A renewal's operation id is
 * `bundle-renew:<id>:<YYYY-MM>`, so a run repeated (after a crash, or by another instance)
 * never charges a month twice.
 */
import type { Cluster, Redis } from 'ioredis';
import {
  AccountNotFoundError,
  BalanceError,
  InsufficientFundsError,
  type BalanceStore,
} from '../balance/index.js';
import { AccountBundles } from './account-bundles.js';
import { BundleCatalog } from './catalog.js';
import { endOfMonth, previousMonth } from './model.js';

export interface RenewalFailure {
  msisdn: string;
  code: string;
  message: string;
}

export interface BundleRenewalSummary {
  /** Calendar-month bundles bought again for the month by this run. */
  renewed: number;
  /** Renewals whose fee could not be paid: a later run of the month tries again. */
  unpaid: number;
  /** Renewals ended: the month before was not paid, or the bundle is no longer on sale. */
  lapsed: number;
  /** Ended bundles cleared (what was left of them written off). */
  expired: number;
  failed: RenewalFailure[];
}

export class BundleRenewal {
  private readonly bundles: AccountBundles;
  private readonly catalog: BundleCatalog;

  constructor(
    private readonly redis: Redis | Cluster,
    store: BalanceStore,
  ) {
    this.bundles = new AccountBundles(redis, store);
    this.catalog = new BundleCatalog(redis, store.keys.prefix);
  }

  /** The month's step for every holder of a bundle, in batches (SSCAN), each batch concurrently. */
  async run(
    month: string,
    nowMs: number,
    options: { batchSize?: number } = {},
  ): Promise<BundleRenewalSummary> {
    const summary: BundleRenewalSummary = { renewed: 0, unpaid: 0, lapsed: 0, expired: 0, failed: [] };
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.sscan(
        this.bundles.keys.holders(),
        cursor,
        'COUNT',
        options.batchSize ?? 100,
      );
      cursor = next;
      await Promise.all(
        batch.map(async (msisdn) => {
          try {
            await this.renewAccount(msisdn, month, nowMs, summary);
          } catch (err) {
            summary.failed.push({
              msisdn,
              code: err instanceof BalanceError ? err.name : 'ERROR',
              message: `bundles: ${err instanceof Error ? err.message : String(err)}`,
            });
          }
        }),
      );
    } while (cursor !== '0');
    return summary;
  }

  private async renewAccount(msisdn: string, month: string, nowMs: number, summary: BundleRenewalSummary) {
    try {
      summary.expired += (await this.bundles.expire(msisdn, nowMs)).expired.length;
    } catch (err) {
      // An account deleted since: nothing of it to renew; it leaves the holders.
      if (!(err instanceof AccountNotFoundError)) throw err;
      await this.redis.srem(this.bundles.keys.holders(), msisdn);
      return;
    }
    // A month that has ended has nothing left to renew for.
    if (endOfMonth(month) <= nowMs) return;
    for (const [id, paidThrough] of await this.bundles.renewals(msisdn)) {
      if (paidThrough >= month) continue;
      const bundle = paidThrough === previousMonth(month) ? await this.catalog.get(id) : undefined;
      if (!bundle || !('calendarMonth' in bundle.validity)) {
        await this.bundles.stopRenewal(msisdn, id);
        summary.lapsed++;
        continue;
      }
      const opId = `bundle-renew:${id}:${month}`;
      try {
        await this.bundles.add({ msisdn, bundle, opId, reference: opId, nowMs, month });
        summary.renewed++;
      } catch (err) {
        if (!(err instanceof InsufficientFundsError)) throw err;
        summary.unpaid++;
      }
    }
  }
}
