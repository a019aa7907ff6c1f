/**
 * Each VPN test file gets its own key prefix on the run's one Redis (see
 * test/support/redis-global-setup.ts), a balance store and a VPN registry on it, and deletes its
 * keys when it is done.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { BalanceStore, type AccountInput } from '../../../src/balance/index.js';
import type { Package } from '../../../src/vpn/model.js';
import { VpnRegistry, type VpnRegistryOptions } from '../../../src/vpn/registry.js';

/** 2026-11-15T00:00:00Z: month '2026-11'. */
export const NOW = Date.UTC(2026, 10, 15);
export const MONTH = '2026-11';
export const DECEMBER = Date.UTC(2026, 11, 3);

/** DESIGN §6's vpn-300 package. */
export const VPN_300: Package = {
  id: 'vpn-300',
  monthlyFee: 500,
  items: ['intra-group-voice'],
  levels: [
    { type: 'free', creditSeconds: 18000, unitSeconds: 60 },
    { type: 'free', creditAmount: 1000, unitSeconds: 60, pricePerUnit: 5 },
    { type: 'payment', unitSeconds: 60, pricePerUnit: 5 },
  ],
  smsPricePerMessage: 0,
  onSuspension: 'reauthorize',
};

export interface VpnFixture {
  redis: Redis;
  store: BalanceStore;
  vpn: VpnRegistry;
  prefix: string;
  url: string;
  /** Another connection (closed by cleanup). */
  connect(): Redis;
  registryWith(options: Partial<VpnRegistryOptions>): VpnRegistry;
  /** A new prepaid account (money `balance`) with a fresh number. */
  account(balance?: number, more?: Partial<AccountInput>): Promise<string>;
  /** A fresh number without an account. */
  number(): string;
  /** A fresh group id, created with the given attributes. */
  group(attributes?: { extensionLength?: number; maxMembers?: number }): Promise<string>;
  money(msisdn: string): Promise<number>;
  cleanup(): Promise<void>;
}

let counter = 0;

export function vpnFixture(): VpnFixture {
  const url = inject('redisUrl');
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const redis = connect();
  const prefix = `t:${randomBytes(4).toString('hex')}:`;
  const store = new BalanceStore({ redis, keyPrefix: prefix });
  const registryWith = (more: Partial<VpnRegistryOptions>) =>
    new VpnRegistry({ redis, keyPrefix: prefix, store, ...more });
  const number = () => {
    counter += 1;
    return `86139${String(process.pid % 1000).padStart(3, '0')}${String(counter).padStart(5, '0')}`;
  };
  const vpn = registryWith({});
  return {
    redis,
    store,
    vpn,
    prefix,
    url,
    connect,
    registryWith,
    number,
    async account(balance = 10_000, more = {}) {
      const msisdn = number();
      await store.upsertAccount({
        msisdn,
        tariff: 'pps-standard',
        currency: 'CNY',
        buckets: { money: balance },
        ...more,
      });
      return msisdn;
    },
    async group(attributes = {}) {
      counter += 1;
      const id = `G${String(counter).padStart(5, '0')}`;
      await vpn.putGroup({ id, name: `group ${id}`, extensionLength: 4, maxMembers: 100, ...attributes });
      return id;
    },
    async money(msisdn) {
      return (await store.getAccount(msisdn))?.buckets.money?.available ?? NaN;
    },
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
}
