/**
 * The reservation index in a cluster, where it lives in another slot than the account: written
 * before the script, dropped after it when no reservation is left (reservation-index.ts). The
 * tests run on one Redis through a client that says it is a cluster; on one Redis proper the
 * scripts keep the entry themselves (the other test files).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis, type Cluster } from 'ioredis';
import { BalanceStore, CreditLimitReachedError } from '../../../src/balance/index.js';
import { balanceFixture, msisdn, VOICE } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;

function asCluster(redis: Redis): Cluster {
  return new Proxy(redis, {
    get(target, prop, receiver) {
      if (prop === 'isCluster') return true;
      if (prop === 'nodes') return () => [target];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as Cluster;
}

const store = new BalanceStore({ redis: asCluster(f.connect()), keyPrefix: f.prefix });

describe('the reservation index written around the script (cluster)', () => {
  it('follows apply, settle and release', async () => {
    const m = msisdn();
    await store.upsertAccount({ msisdn: m, buckets: { money: 1000 } });
    const ref = { msisdn: m, ratingGroup: 0, nowMs: NOW };
    await store.apply({ ...ref, opId: 'c1', sessionId: 'a', tiers: VOICE, units: 60, expiresAtMs: NOW + 10 });
    expect(await f.indexScore(m, 'a')).toBe(NOW + 10);
    await store.settle({
      ...ref,
      opId: 'c2',
      sessionId: 'a',
      used: 30,
      units: 60,
      tiers: VOICE,
      expiresAtMs: NOW + 20,
    });
    expect(await f.indexScore(m, 'a')).toBe(NOW + 20);
    await store.settle({ ...ref, opId: 'c3', sessionId: 'a', used: 30 });
    expect(await f.indexScore(m, 'a')).toBeNull();

    await store.apply({ ...ref, opId: 'c4', sessionId: 'b', tiers: VOICE, units: 60, expiresAtMs: NOW + 30 });
    expect(await f.indexScore(m, 'b')).toBe(NOW + 30);
    await store.release({ ...ref, opId: 'c5', sessionId: 'b' });
    expect(await f.indexScore(m, 'b')).toBeNull();
    expect((await store.getAccount(m))?.buckets.money).toEqual({ available: 970, reserved: 0, spent: 30 });
  });

  it('drops the entry it wrote when the script refused', async () => {
    const m = msisdn();
    await store.upsertAccount({ msisdn: m, buckets: { money: 1 } });
    const req = { msisdn: m, ratingGroup: 0, nowMs: NOW, sessionId: 'poor', tiers: VOICE, units: 60 };
    await expect(store.apply({ ...req, opId: 'p1', expiresAtMs: NOW + 10 })).rejects.toBeInstanceOf(
      CreditLimitReachedError,
    );
    expect(await f.indexScore(m, 'poor')).toBeNull();
    await expect(store.settle({ ...req, opId: 'p2', used: 0, expiresAtMs: NOW + 10 })).resolves.toMatchObject(
      {
        creditLimitReached: true,
      },
    );
    expect(await f.indexScore(m, 'poor')).toBeNull();
  });
});

describe('the reservation index kept by the scripts (one Redis)', () => {
  it("honours the client's own key prefix, as the sweeper reads the index through it", async () => {
    const client = f.connect();
    const prefixed = new Redis(client.options.port ?? 6379, client.options.host ?? '127.0.0.1', {
      keyPrefix: `${f.prefix}own:`,
      maxRetriesPerRequest: 1,
    });
    const store = new BalanceStore({ redis: prefixed, keyPrefix: '' });
    try {
      const m = msisdn();
      await store.upsertAccount({ msisdn: m, buckets: { money: 1000 } });
      const ref = { msisdn: m, ratingGroup: 0, nowMs: NOW, sessionId: 'own' };
      await store.apply({ ...ref, opId: 'o1', tiers: VOICE, units: 60, expiresAtMs: NOW + 10 });
      expect(await f.redis.zscore(`${f.prefix}own:resv-index`, `${m}|0|own`)).toBe(String(NOW + 10));
      await expect(store.sweepExpired(NOW + 10)).resolves.toEqual({
        accounts: 1,
        expired: 1,
        removed: 1,
        rescored: 0,
      });
      expect((await store.getAccount(m))?.buckets.money).toEqual({ available: 1000, reserved: 0, spent: 0 });
    } finally {
      prefixed.disconnect();
    }
  });
});
