/**
 * A number's lock serialises the charges and changes of its VPN function across instances, so
 * that a fee is never charged twice at once, and makes unregister wait (its script refuses BUSY
 * while the lock exists). A holder that dies loses the lock after its TTL.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { vpnErrors } from './errors.js';
import { checkId } from './input.js';
import type { VpnKeys } from './keys.js';

export class NumberLock {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly ttlMs: number,
    private readonly waitMs: number,
  ) {}

  /**
   * Runs `fn` holding the number's lock; `fn` gets the lock's token, which the writes it makes
   * under the lock present. Refused with BUSY when the lock is not free within the wait.
   */
  async hold<T>(msisdn: string, fn: (token: string) => Promise<T>): Promise<T> {
    checkId('msisdn', msisdn);
    const key = this.keys.lock(msisdn);
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      if ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) throw vpnErrors.busy(msisdn);
      await sleep(20 + Math.floor(Math.random() * 30));
    }
    try {
      return await fn(token);
    } finally {
      await this.redis.vpnUnlock(key, token);
    }
  }
}
