/**
 * The hot scripts' FCALL on one Redis is encoded by the script runner (fcall-encoding.ts), not
 * by ioredis's generic path, and answers as that path does: a guarded call, a refusal, and a
 * client with ioredis's own key prefix, which keeps the generic path so that the prefix is added.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { AccountNotFoundError, BalanceStore } from '../../../src/balance/index.js';

const url = inject('redisUrl');
const clients: Redis[] = [];
const prefix = `t-fc-${randomBytes(4).toString('hex')}:`;
function connect(keyPrefix?: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, ...(keyPrefix ? { keyPrefix } : {}) });
  clients.push(client);
  return client;
}
afterAll(async () => {
  const cleaner = connect();
  const keys = await cleaner.keys(`${prefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await Promise.all(clients.map((c) => c.quit()));
});

const NOW = 1_790_000_000_000;
const VOICE = [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }];

async function openAndSettle(store: BalanceStore, msisdn: string) {
  await store.upsertAccount({ msisdn, buckets: { money: 1000 } }, NOW);
  const base = { msisdn, sessionId: 'pgw;1', ratingGroup: 0, nowMs: NOW };
  const applied = await store.apply({
    ...base,
    opId: 'a1',
    tiers: VOICE,
    units: 120,
    expiresAtMs: NOW + 60_000,
  });
  const settled = await store.settle({ ...base, opId: 's1', used: 60 });
  return { applied, settled };
}

describe('FCALL encoded by the script runner', () => {
  it('is what a single Redis gets, with the same answers as the generic path', async () => {
    const lean = connect();
    const generic = connect(prefix);
    const leanFcall = vi.spyOn(lean, 'fcall');
    const genericFcall = vi.spyOn(generic, 'fcall');
    const viaLean = await openAndSettle(
      new BalanceStore({ redis: lean, keyPrefix: prefix }),
      '8613900000701',
    );
    const viaGeneric = await openAndSettle(new BalanceStore({ redis: generic }), '8613900000702');
    expect(leanFcall).not.toHaveBeenCalled();
    expect(genericFcall).toHaveBeenCalled();
    expect(viaLean).toEqual(viaGeneric);
    expect(viaLean.settled).toMatchObject({ charged: 60, amounts: { money: 15 } });
    // Both wrote under the same prefix: one by the keys it was given, one through ioredis.
    expect(await lean.exists(`${prefix}acct:{8613900000701}`, `${prefix}acct:{8613900000702}`)).toBe(2);
  });

  it('passes a guard and a refusal through', async () => {
    const store = new BalanceStore({ redis: connect(), keyPrefix: prefix });
    await expect(store.authenticate('8613900000799', NOW)).rejects.toBeInstanceOf(AccountNotFoundError);
    const guarded = {
      msisdn: '8613900000703',
      sessionId: 'pgw;3',
      ratingGroup: 0,
      nowMs: NOW,
      tiers: VOICE,
      units: 60,
      expiresAtMs: NOW + 60_000,
    };
    await store.upsertAccount({ msisdn: guarded.msisdn, buckets: { money: 1000 } }, NOW);
    const guardKey = `${prefix}sess-guard:{${guarded.msisdn}}`;
    await connect().set(guardKey, 'v1');
    await expect(
      store.apply({ ...guarded, opId: 'g1', guard: { key: guardKey, value: 'v1' } }),
    ).resolves.toMatchObject({ granted: 60 });
    await expect(
      store.apply({ ...guarded, sessionId: 'pgw;4', opId: 'g2', guard: { key: guardKey, value: 'v0' } }),
    ).rejects.toThrow(/guard/i);
  });
});
