/**
 * The bundles each account holds, as rating reads them on every grant (DESIGN §3, Bundles),
 * cached per instance so that a grant costs no Redis read of its own (DESIGN §5). A purchase,
 * a renewal or an expiry is published on CONFIG_CHANNEL (bundleChangeMessage) and drops the
 * account's entry in every instance, so the next CCR anywhere rates with the new bundle. An
 * entry left stale by a lost message is safe for money: a bucket's name carries its end and the
 * balance scripts take nothing from an ended bundle; the TTL bounds how long a bundle bought
 * then goes unused.
 */
import type { Cluster, Redis } from 'ioredis';
import { subscribeToConfigChanges, type ConfigSubscription } from '../config-cache/subscription.js';
import { DEFAULT_CONFIG_CACHE_TTL_MS, TtlCache } from '../config-cache/ttl-cache.js';
import { holdingsOf, type BundleHolding } from './account-bundles.js';
import { bundleChangePrefix } from './change-message.js';
import { BundleKeys } from './keys.js';

export interface BundleHoldingsCacheOptions {
  redis: Redis | Cluster;
  keyPrefix?: string;
  /** Age after which an account's holdings are read again even without a message. Default 30 s. */
  ttlMs?: number;
  /** Accounts kept (the oldest go first). Default 100 000. */
  maxEntries?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export class BundleHoldingsCache {
  private readonly keys: BundleKeys;
  private readonly cache: TtlCache<readonly BundleHolding[]>;
  private readonly own: string;
  private subscription: ConfigSubscription | undefined;

  private constructor(private readonly options: BundleHoldingsCacheOptions) {
    this.keys = new BundleKeys(options.keyPrefix ?? '');
    this.own = bundleChangePrefix(this.keys.prefix);
    this.cache = new TtlCache(
      options.ttlMs ?? DEFAULT_CONFIG_CACHE_TTL_MS,
      options.maxEntries ?? 100_000,
      options.now ?? Date.now,
    );
  }

  /** A cache subscribed (on its own duplicate connection) to CONFIG_CHANNEL. */
  static async open(options: BundleHoldingsCacheOptions): Promise<BundleHoldingsCache> {
    const cache = new BundleHoldingsCache(options);
    cache.subscription = await subscribeToConfigChanges(options.redis, {
      changed: (message) => cache.invalidate(message),
      forgetAll: () => cache.invalidate(),
    });
    return cache;
  }

  /** The terms of every bundle the account holds, ended or not, in no order. */
  holdings(msisdn: string): Promise<readonly BundleHolding[]> {
    return this.cache.get(msisdn, async () =>
      holdingsOf(await this.options.redis.hgetall(this.keys.account(msisdn))),
    );
  }

  /** The callback keeps the account's hash as read by another command (authenticate). */
  reading(msisdn: string): (raw: Readonly<Record<string, string>>) => void {
    const stamp = this.cache.stamp();
    return (raw) => this.cache.put(msisdn, holdingsOf(raw), stamp);
  }

  /**
   * Drops the account a `bundles:<msisdn>` message names (after the key prefix); no message
   * drops everything. Other messages (tariffs, VPN, another key prefix's) are ignored.
   */
  invalidate(message?: string): void {
    if (message === undefined) return this.cache.clear();
    if (message.startsWith(this.own)) this.cache.delete(message.slice(this.own.length));
  }

  get size(): number {
    return this.cache.size;
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.cache.clear();
    await subscription?.close();
  }
}
