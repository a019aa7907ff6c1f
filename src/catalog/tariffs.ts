import type { Cluster, Redis } from 'ioredis';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';
import { CatalogKeys } from './keys.js';
import { tariffSchema, type Tariff, type TariffDocument } from './schema.js';

/**
 * Tariffs, kept in Redis and cached in each instance. A change is published on
 * CONFIG_CHANNEL, and every instance drops its cache on hearing it.
 */
export class TariffCatalog {
  private cache = new Map<string, Tariff | null>();
  private readonly key: string;

  constructor(
    private readonly redis: Redis | Cluster,
    keyPrefix = '',
  ) {
    this.key = new CatalogKeys(keyPrefix).tariffs();
  }

  async get(id: string): Promise<Tariff | undefined> {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const raw = await this.redis.hget(this.key, id);
    const tariff = raw ? tariffSchema.parse(JSON.parse(raw)) : null;
    this.cache.set(id, tariff);
    return tariff ?? undefined;
  }

  async list(): Promise<Tariff[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all).map((raw) => tariffSchema.parse(JSON.parse(raw)));
  }

  async put(tariff: TariffDocument): Promise<void> {
    const valid = tariffSchema.parse(tariff);
    await this.redis.hset(this.key, valid.id, JSON.stringify(valid));
    this.invalidate();
    await this.redis.publish(CONFIG_CHANNEL, 'tariffs');
  }

  invalidate(): void {
    this.cache = new Map();
  }
}
