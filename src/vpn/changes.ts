/**
 * Every change to the VPN configuration is announced on CONFIG_CHANNEL, so that each instance's
 * VpnDirectory drops what it cached (DESIGN §5). A message names what changed
 * (`vpn:group:<id>`, `vpn:package:<id>`, `vpn:member:<msisdn>`, `vpn:activation:<msisdn>`) after
 * the key prefix, which keeps deployments sharing a Redis apart; VpnDirectory.invalidate reads
 * that form.
 */
import type { Cluster, Redis } from 'ioredis';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';

export type VpnChangeKind = 'group' | 'package' | 'member' | 'activation';

export class VpnChanges {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
  ) {}

  /** The message that says `id` of `kind` changed. */
  message(kind: VpnChangeKind, id: string): string {
    return `${this.keyPrefix}vpn:${kind}:${id}`;
  }

  async publish(kind: VpnChangeKind, id: string): Promise<void> {
    await this.redis.publish(CONFIG_CHANNEL, this.message(kind, id));
  }
}
