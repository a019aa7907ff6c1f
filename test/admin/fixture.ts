/**
 * The admin app built by buildAdminApp on the run's one Redis (test/support/redis-global-setup.ts)
 * under a key prefix of its own, driven with `inject()`: a write token and a read token, a
 * clock the test moves, the app's log lines, and `cleanup()` that deletes every key of the prefix.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { inject } from 'vitest';
import { buildAdminApp, type AdminDeps } from '../../src/admin/app.js';
import type { AdminToken } from '../../src/admin/auth.js';
import { BalanceStore, type AccountInput } from '../../src/balance/index.js';
import { TariffCatalog } from '../../src/catalog/tariffs.js';
import { CdrWriter } from '../../src/credit-control/cdr.js';
import { SessionKeys } from '../../src/credit-control/keys.js';
import { SessionStore } from '../../src/credit-control/sessions.js';
import { Metrics } from '../../src/metrics/metrics.js';

export const WRITE_TOKEN = 'write-token-for-tests-0123456789';
export const READ_TOKEN = 'read-token-for-tests-0123456789';
export const TOKENS: AdminToken[] = [
  { name: 'ops', scope: 'write', token: WRITE_TOKEN },
  { name: 'dashboard', scope: 'read', token: READ_TOKEN },
];

/** 2026-03-15T08:00:00Z. */
export const START_MS = Date.UTC(2026, 2, 15, 8);

export const STD_TARIFF = {
  id: 'std',
  currency: 'CNY',
  voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
  sms: { pricePerMessage: 10 },
};

export const EUR_TARIFF = {
  id: 'eur',
  currency: 'EUR',
  voice: { unitSeconds: 60, pricePerUnit: 2, terminatingPricePerUnit: 0 },
};

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Record<string, unknown>;
}

export interface CallOptions {
  /** Default the write token; null sends no Authorization header. */
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AdminFixture {
  app: FastifyInstance;
  redis: Redis;
  /** A store on the same keys (as the charging service's). */
  store: BalanceStore;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
  sessions: SessionStore;
  cdrs: CdrWriter;
  prefix: string;
  clock: { ms: number };
  /** Every line the app logged. */
  logs: Record<string, unknown>[];
  call(method: string, url: string, options?: CallOptions): Promise<Answer>;
  /** A fresh MSISDN no other test of the file uses. */
  number(): string;
  /** A fresh prepaid account on `std` straight in the store (money `balance`, default 10000). */
  account(balance?: number, more?: Partial<AccountInput>): Promise<string>;
  cleanup(): Promise<void>;
}

let counter = 0;

/** `keyPrefix`: another fixture's, for a second instance on the same keys. */
export async function adminFixture(
  overrides: Partial<AdminDeps> & { keyPrefix?: string } = {},
): Promise<AdminFixture> {
  const url = inject('redisUrl');
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const { keyPrefix, ...deps } = overrides;
  const prefix = keyPrefix ?? `adm:${randomBytes(4).toString('hex')}:`;
  const store = new BalanceStore({ redis, keyPrefix: prefix, opTtlSeconds: 3600 });
  const catalog = new TariffCatalog(redis, prefix);
  const sessionKeys = new SessionKeys(prefix);
  const sessions = new SessionStore(redis, sessionKeys);
  const cdrs = new CdrWriter(redis, sessionKeys, 1000);
  const clock = { ms: START_MS };
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  await catalog.put(STD_TARIFF);
  await catalog.put(EUR_TARIFF);
  const app = await buildAdminApp({
    redis,
    store,
    catalog,
    sessions,
    sessionKeys,
    cdrs,
    metrics: new Metrics({ defaultMetrics: false }),
    tokens: TOKENS,
    ready: async () => true,
    now: () => clock.ms,
    logger: pino({ level: 'info' }, sink),
    ...deps,
  });
  const number = () => {
    counter += 1;
    return `86137${String(process.pid % 1000).padStart(3, '0')}${String(counter).padStart(5, '0')}`;
  };
  return {
    app,
    redis,
    store,
    catalog,
    sessionKeys,
    sessions,
    cdrs,
    prefix,
    clock,
    logs,
    async call(method, path, options = {}) {
      const token = options.token === undefined ? WRITE_TOKEN : options.token;
      const response = await app.inject({
        method: method as 'GET',
        url: path,
        headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers },
        ...(options.body === undefined
          ? {}
          : typeof options.body === 'string'
            ? { payload: options.body }
            : { payload: options.body as object }),
      });
      const type = String(response.headers['content-type'] ?? '');
      return {
        status: response.statusCode,
        body: type.startsWith('application/json') && response.body !== '' ? response.json() : response.body,
        headers: response.headers,
      };
    },
    number,
    async account(balance = 10_000, more = {}) {
      const msisdn = number();
      await store.upsertAccount({
        msisdn,
        tariff: 'std',
        currency: 'CNY',
        buckets: { money: balance },
        ...more,
      });
      return msisdn;
    },
    async cleanup() {
      await app.close();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
