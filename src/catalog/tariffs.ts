import type { Cluster, Redis } from 'ioredis';
import { subscribeToConfigChanges, type ConfigSubscription } from '../config-cache/subscription.js';
import { DEFAULT_CONFIG_CACHE_TTL_MS, TtlCache } from '../config-cache/ttl-cache.js';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';
import { CatalogKeys } from './keys.js';
import { tariffSchema, type Tariff, type TariffDocument } from './schema.js';

/** The CONFIG_CHANNEL message of a tariff change. */
const TARIFFS_CHANGED = 'tariffs';

export interface TariffCacheOptions {
  /** Age after which a tariff is read again even without a message. Default 30 s. */
  ttlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export interface TariffCatalogOptions extends TariffCacheOptions {
  redis: Redis | Cluster;
  keyPrefix?: string;
}

/**
 * Tariffs, kept in Redis and cached in each instance (DESIGN §5). A change is published on
 * CONFIG_CHANNEL and every subscribed instance drops its cache on hearing it; the time to live
 * bounds how long an instance that missed the message prices with the old tariff.
 */
export class TariffCatalog {
  private readonly cache: TtlCache<Tariff | undefined>;
  private readonly key: string;
  private subscription: ConfigSubscription | undefined;

  /** A catalogue that hears of no change made elsewhere: the TTL alone refreshes it. */
  constructor(
    private readonly redis: Redis | Cluster,
    keyPrefix = '',
    cache: TariffCacheOptions = {},
  ) {
    this.key = new CatalogKeys(keyPrefix).tariffs();
    this.cache = new TtlCache(cache.ttlMs ?? DEFAULT_CONFIG_CACHE_TTL_MS, 10_000, cache.now ?? Date.now);
  }

  /** A catalogue subscribed (on its own duplicate connection) to CONFIG_CHANNEL. */
  static async open(options: TariffCatalogOptions): Promise<TariffCatalog> {
    const catalog = new TariffCatalog(options.redis, options.keyPrefix, options);
    catalog.subscription = await subscribeToConfigChanges(options.redis, {
      changed: (message) => {
        if (message === TARIFFS_CHANGED) catalog.invalidate();
      },
      forgetAll: () => catalog.invalidate(),
    });
    return catalog;
  }

  get(id: string): Promise<Tariff | undefined> {
    return this.cache.get(id, async () => {
      const raw = await this.redis.hget(this.key, id);
      return raw ? tariffSchema.parse(JSON.parse(raw)) : undefined;
    });
  }

  async list(): Promise<Tariff[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all).map((raw) => tariffSchema.parse(JSON.parse(raw)));
  }

  async put(tariff: TariffDocument): Promise<void> {
    const valid = tariffSchema.parse(tariff);
    await this.redis.hset(this.key, valid.id, JSON.stringify(valid));
    this.invalidate();
    await this.redis.publish(CONFIG_CHANNEL, TARIFFS_CHANGED);
  }

  invalidate(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.invalidate();
    await subscription?.close();
  }
}
