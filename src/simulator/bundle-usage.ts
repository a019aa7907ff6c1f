import type { Cluster, Redis } from 'ioredis';
import { holdingsOf, type BundleHolding } from '../bundles/account-bundles.js';
import { BundleKeys } from '../bundles/keys.js';
import { withBundles } from '../rating/bundle-tiers.js';
import { priceOf } from '../rating/tariff.js';
import type { ChargedService, Rating } from '../rating/types.js';

/** What one account holding bundles should have spent by the end of the run. */
export interface HolderExpectation {
  /** Money: what the tariff gives for the usage its bundles did not cover. */
  money: number;
  /** Money without the bundles: the most it could have spent. */
  moneyWithoutBundles: number;
  /** Per bundle bucket, the units (the bundle's own: octets, seconds, messages) it covered. */
  bundles: Map<string, number>;
  /** Units each bundle bucket held when the run began. */
  held: Map<string, number>;
  /**
   * Grants of the account overlapped (two sessions at once, or a session of several rating
   * groups), or a VPN package priced some of its calls: how its usage split between bundle and
   * money then depends on the order the server froze it in, so it is only bounded.
   */
  bounded: boolean;
}

interface Holder extends HolderExpectation {
  holdings: BundleHolding[];
  /** Units left in each bundle bucket, as the run goes. */
  left: Map<string, number>;
  /** Grants of the account open now. */
  open: number;
}

/**
 * The bundles of the run's accounts, spent as the balance scripts spend them (DESIGN §3,
 * Bundles): each report's started units of the tariff come from the bundles that pay for it,
 * the one ending soonest first, a unit taking its size from the bundle (at most what the bundle
 * still holds in whole units), and the rest is priced in money. Reports are taken in the order
 * the server answered them; while an account has one grant at a time that is the order the
 * server froze and charged its units in, so the split is exact.
 */
export class BundleUsage {
  static readonly NONE = new BundleUsage(new Map());

  constructor(private readonly holders: Map<string, Holder>) {}

  /** The bundles the accounts hold and the units each bucket holds now. */
  static of(accounts: Iterable<[string, BundleHolding[], Record<string, number>]>): BundleUsage {
    const holders = new Map<string, Holder>();
    for (const [msisdn, holdings, available] of accounts) {
      if (holdings.length === 0) continue;
      const held = new Map(holdings.map((h) => [h.bucket, available[h.bucket] ?? 0]));
      holders.set(msisdn, {
        holdings,
        left: new Map(held),
        held,
        bundles: new Map(holdings.map((h) => [h.bucket, 0])),
        money: 0,
        moneyWithoutBundles: 0,
        bounded: false,
        open: 0,
      });
    }
    return new BundleUsage(holders);
  }

  /**
   * Reads the bundles held by `accounts` (msisdn to its bundle buckets' available units, as a
   * balance snapshot found them) from the store's `bundles:{m}` hashes.
   */
  static async read(
    redis: Redis | Cluster,
    prefix: string,
    accounts: ReadonlyMap<string, Record<string, number>>,
  ): Promise<BundleUsage> {
    const keys = new BundleKeys(prefix);
    const entries = [...accounts];
    const read: [string, BundleHolding[], Record<string, number>][] = [];
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const [msisdn, available] = entries[next++]!;
        const holdings = holdingsOf(await redis.hgetall(keys.account(msisdn)));
        read.push([msisdn, holdings, available]);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return BundleUsage.of(read);
  }

  get size(): number {
    return this.holders.size;
  }

  holds(msisdn: string): boolean {
    return this.holders.has(msisdn);
  }

  /**
   * The money price of `units` of a report rated `rating` at `atMs` (when its grant was made),
   * after the account's bundles have covered what they can; the bundles' units are taken.
   */
  charge(msisdn: string, rating: Rating, service: ChargedService, units: number, atMs: number): number {
    const h = this.holders.get(msisdn);
    if (!h) return priceOf(rating, units);
    const withThem = withBundles(rating, service, h.holdings, atMs);
    const bundleTiers = withThem.tiers.length - rating.tiers.length;
    let left = units;
    for (let i = 0; i < bundleTiers && left > 0; i++) {
      const t = withThem.tiers[i]!;
      const available = h.left.get(t.bucket) ?? 0;
      const n = Math.min(Math.ceil(left / t.unitSize), Math.floor(available / t.pricePerUnit));
      if (n <= 0) continue;
      h.left.set(t.bucket, available - n * t.pricePerUnit);
      h.bundles.set(t.bucket, (h.bundles.get(t.bucket) ?? 0) + n * t.pricePerUnit);
      left -= n * t.unitSize;
    }
    return left > 0 ? priceOf(rating, left) : 0;
  }

  /** Money the account's report costs (`withoutBundles`: what it would have cost without them). */
  spent(msisdn: string, money: number, withoutBundles: number): void {
    const h = this.holders.get(msisdn);
    if (!h) return;
    h.money += money;
    h.moneyWithoutBundles += withoutBundles;
  }

  /** The account's split cannot be followed exactly (a VPN package priced one of its calls). */
  bound(msisdn: string): void {
    const h = this.holders.get(msisdn);
    if (h) h.bounded = true;
  }

  /** A session of the account opens `grants` grants at once (its rating groups). */
  opened(msisdn: string, grants: number): void {
    const h = this.holders.get(msisdn);
    if (!h) return;
    h.open += grants;
    if (h.open > 1) h.bounded = true;
  }

  closed(msisdn: string, grants: number): void {
    const h = this.holders.get(msisdn);
    if (h) h.open -= grants;
  }

  expectations(): IterableIterator<[string, HolderExpectation]> {
    return this.holders.entries();
  }
}
