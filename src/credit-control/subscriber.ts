import type { Cluster, Redis } from 'ioredis';
import type { SessionKeys } from './keys.js';
import type { SubscriptionId, SubscriptionIdType } from './types.js';

/** A tel: or sip: URI whose user part is a number: `tel:+8613800000001`, `sip:+86138...@ims;user=phone`. */
export function numberOfUri(uri: string): string | undefined {
  const m = /^(?:tel:|sips?:)?\+?([0-9][0-9-]*)(?:[@;]|$)/i.exec(uri.trim());
  return m ? m[1]!.replace(/-/g, '') : undefined;
}

/**
 * Finds the served account's MSISDN among the Subscription-Ids of a request (RFC 4006 §8.46),
 * in the order given, using only the identity types that are enabled. E.164 numbers and
 * numeric SIP/tel URIs are MSISDNs themselves; IMSI, NAI and other URIs go through the alias
 * records that provisioning writes.
 */
export class SubscriberResolver {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: SessionKeys,
    private readonly enabled: readonly SubscriptionIdType[],
  ) {}

  async resolve(ids: readonly SubscriptionId[]): Promise<string | undefined> {
    for (const id of ids) {
      if (id.type !== 'e164' && !this.enabled.includes(id.type)) continue;
      if (id.type === 'e164') {
        const digits = id.data.replace(/^\+/, '');
        if (/^\d{1,15}$/.test(digits)) return digits;
        continue;
      }
      if (id.type === 'sip-uri') {
        const number = numberOfUri(id.data);
        if (number) return number;
      }
      const aliased = await this.redis.get(this.keys.alias(id.type, id.data));
      if (aliased) return aliased;
    }
    return undefined;
  }
}
