/** VPN packages: the fee and levels a belonging member can activate (ZTE FIG. 3, DESIGN §3). */
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import type { VpnChanges } from './changes.js';
import { isId, parseInput } from './input.js';
import type { VpnKeys } from './keys.js';
import { packageSchema, type Package } from './model.js';
import type { VpnReader } from './read.js';

export type PackageInput = z.input<typeof packageSchema>;

export class VpnPackages {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly reader: VpnReader,
    private readonly changes: VpnChanges,
  ) {}

  /**
   * Creates or changes a package. A change applies to rating at once; changed free allowances
   * apply from the next reset of the members' free credits.
   */
  async put(input: PackageInput): Promise<{ created: boolean }> {
    const pkg = parseInput(packageSchema, input, 'package');
    const added = await this.redis.hset(this.keys.packages(), pkg.id, JSON.stringify(pkg));
    await this.changes.publish('package', pkg.id);
    return { created: added === 1 };
  }

  get(id: string): Promise<Package | undefined> {
    return isId(id) ? this.reader.getPackage(id) : Promise.resolve(undefined);
  }

  list(): Promise<Package[]> {
    return this.reader.listPackages();
  }
}
