/**
 * Each balance test file gets its own key prefix on the run's one Redis (see
 * test/support/redis-global-setup.ts) and deletes its keys when it is done.
 */
import { randomBytes } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import { inject } from 'vitest';
import { BalanceStore, type BalanceStoreOptions, type Tier } from '../../../src/balance/index.js';

export interface Fixture {
  redis: Redis;
  store: BalanceStore;
  prefix: string;
  /** Another connection (closed by cleanup). */
  connect(): Redis;
  /** A store on the same prefix with other options. */
  storeWith(options: Partial<BalanceStoreOptions>): BalanceStore;
  /** Score of a reservation's entry in the sweeper's index, or null. */
  indexScore(msisdn: string, sessionId: string, ratingGroup?: number): Promise<number | null>;
  cleanup(): Promise<void>;
}

export function balanceFixture(options: Partial<BalanceStoreOptions> = {}): Fixture {
  const url = inject('redisUrl');
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const redis = connect();
  const prefix = `t:${randomBytes(4).toString('hex')}:`;
  const storeWith = (more: Partial<BalanceStoreOptions>) =>
    new BalanceStore({ redis, keyPrefix: prefix, ...options, ...more });
  return {
    redis,
    store: storeWith({}),
    prefix,
    connect,
    storeWith,
    async indexScore(m, sessionId, ratingGroup = 0) {
      const score = await redis.zscore(`${prefix}resv-index`, `${m}|${ratingGroup}|${sessionId}`);
      return score === null ? null : Number(score);
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

export const FREE_SECONDS = 'vpn:vpn-300:free-seconds';
export const FREE_CREDIT = 'vpn:vpn-300:free-credit';

/** DESIGN §6's vpn-300 package: 300 free minutes, 10.00 of free credit at 0.05/min, then 0.05/min. */
export const VPN_TIERS: Tier[] = [
  { bucket: FREE_SECONDS, unitSize: 60, pricePerUnit: 60 },
  { bucket: FREE_CREDIT, unitSize: 60, pricePerUnit: 5 },
  { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
];

/** Plain voice at 0.15/min. */
export const VOICE: Tier[] = [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }];

let counter = 0;
/** A fresh MSISDN per test, so tests in one file never share an account. */
export function msisdn(): string {
  counter += 1;
  return `86138${String(process.pid % 1000).padStart(3, '0')}${String(counter).padStart(5, '0')}`;
}

/** A client that answers FUNCTION and FCALL as Redis 6 does. */
export function withoutFunctions(redis: Redis): Redis {
  const unknown = (name: string) => Promise.reject(new ReplyError(`ERR unknown command '${name}'`));
  return new Proxy(redis, {
    get(target, prop, receiver) {
      if (prop === 'fcall') return () => unknown('fcall');
      if (prop === 'call') {
        return (command: string, ...args: unknown[]) =>
          command.toUpperCase() === 'FUNCTION'
            ? unknown('function')
            : (target.call as (...a: unknown[]) => Promise<unknown>)(command, ...args);
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
