import type { Cluster, Redis } from 'ioredis';
import { bundleSchema, type Bundle, type BundleDocument } from '../catalog/bundles.js';
import { BundleKeys } from './keys.js';

/**
 * The bundle definitions an operator sells (DESIGN §6, `bundles`). Read only when a bundle is
 * bought or renewed: an account's bundles carry the terms they were bought with, so rating
 * never reads this.
 */
export class BundleCatalog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis | Cluster,
    keyPrefix = '',
  ) {
    this.key = new BundleKeys(keyPrefix).definitions();
  }

  async get(id: string): Promise<Bundle | undefined> {
    const raw = await this.redis.hget(this.key, id);
    return raw ? bundleSchema.parse(JSON.parse(raw)) : undefined;
  }

  async list(): Promise<Bundle[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all).map((raw) => bundleSchema.parse(JSON.parse(raw)));
  }

  async put(bundle: BundleDocument): Promise<void> {
    const valid = bundleSchema.parse(bundle);
    await this.redis.hset(this.key, valid.id, JSON.stringify(valid));
  }
}
