/**
 * Guarded calls: apply and settle run only while a key of the account's slot (the session
 * record) still holds what the caller read; otherwise nothing changes and GuardFailedError
 * says so. On FCALL and on the EVALSHA fallback alike.
 */
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BalanceStore, GuardFailedError, type Guard } from '../../../src/balance/index.js';
import { scriptMode } from '../../../src/balance/scripts.js';
import { balanceFixture, msisdn, VOICE, withoutFunctions } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;

describe.each([
  ['FCALL', () => new BalanceStore({ redis: f.connect(), keyPrefix: f.prefix }), 'function'],
  ['EVALSHA', () => new BalanceStore({ redis: withoutFunctions(f.connect()), keyPrefix: f.prefix }), 'eval'],
])('a guarded call through %s', (_, makeStore, mode) => {
  async function setUp() {
    const store = makeStore();
    const m = msisdn();
    await store.upsertAccount({ msisdn: m, buckets: { money: 1000 } });
    expect(scriptMode((store as unknown as { redis: Redis }).redis)).toBe(mode);
    const guard: Guard = { key: `${f.prefix}sess:{${m}}:s1`, value: '{"n":1}' };
    await f.redis.set(guard.key, guard.value);
    const apply = (opId: string, g?: Guard) =>
      store.apply({
        opId,
        msisdn: m,
        sessionId: 's1',
        ratingGroup: 100,
        tiers: VOICE,
        units: 60,
        nowMs: NOW,
        expiresAtMs: NOW + 60_000,
        ...(g ? { guard: g } : {}),
      });
    const settle = (opId: string, g?: Guard) =>
      store.settle({
        opId,
        msisdn: m,
        sessionId: 's1',
        ratingGroup: 100,
        nowMs: NOW,
        used: 60,
        ...(g ? { guard: g } : {}),
      });
    return { store, m, guard, apply, settle };
  }

  it('runs while the key holds the value', async () => {
    const { store, m, guard, apply, settle } = await setUp();
    await expect(apply('a1', guard)).resolves.toMatchObject({ granted: 60 });
    await expect(settle('s1', guard)).resolves.toMatchObject({ charged: 60, amounts: { money: 15 } });
    expect((await store.getAccount(m))!.buckets.money).toMatchObject({
      available: 985,
      reserved: 0,
      spent: 15,
    });
  });

  it('changes nothing when the key holds something else, or nothing, and the same operation can run later', async () => {
    const { store, m, guard, apply, settle } = await setUp();
    const ledgerBefore = await store.readLedger(m);
    await expect(apply('a1', { ...guard, value: '{"n":0}' })).rejects.toThrow(GuardFailedError);
    await expect(apply('a1', { ...guard, key: `${f.prefix}sess:{${m}}:gone` })).rejects.toThrow(
      GuardFailedError,
    );
    expect((await store.getAccount(m))!.buckets.money).toMatchObject({
      available: 1000,
      reserved: 0,
      spent: 0,
    });
    expect(await store.readLedger(m)).toEqual(ledgerBefore);

    // Not remembered under its operation id: with the right value it runs.
    await expect(apply('a1', guard)).resolves.toMatchObject({ granted: 60 });
    await expect(settle('s1', { ...guard, value: 'stale' })).rejects.toThrow(GuardFailedError);
    expect((await store.getAccount(m))!.buckets.money).toMatchObject({
      available: 985,
      reserved: 15,
      spent: 0,
    });
    await expect(settle('s1')).resolves.toMatchObject({ charged: 60 });
  });
});
