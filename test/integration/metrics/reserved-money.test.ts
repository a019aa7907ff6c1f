/**
 * The frozen money /metrics reports, summed from the accounts the reservation index and the
 * supervision set name:
 * by currency, each account once, stale index entries adding nothing; above `exactUpTo`
 * reservations, one sum kept for the other reads until it expires.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { reservedMoneyByCurrency } from '../../../src/balance/reserved-money.js';
import { balanceFixture, msisdn, VOICE } from '../balance/fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = Date.UTC(2026, 2, 1, 8);
let ops = 0;

async function account(currency: string, money: number): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, currency, tariff: 't', buckets: { money } }, NOW);
  return m;
}

/** Freezes `minutes` of voice at 0.15 a minute for the session. */
async function freeze(m: string, sessionId: string, minutes: number): Promise<void> {
  await f.store.apply({
    opId: `op-${++ops}`,
    msisdn: m,
    sessionId,
    ratingGroup: 100,
    tiers: VOICE,
    units: minutes * 60,
    nowMs: NOW,
    expiresAtMs: NOW + 3_600_000,
  });
}

describe('reservedMoneyByCurrency', () => {
  it('sums what the accounts hold frozen, by currency, each account once', async () => {
    expect(await reservedMoneyByCurrency(f.redis, f.store.keys)).toEqual(new Map());
    const a = await account('CNY', 10_000);
    const b = await account('CNY', 10_000);
    const c = await account('EUR', 10_000);
    await freeze(a, 'a-1', 2);
    await freeze(a, 'a-2', 1);
    await freeze(b, 'b-1', 4);
    await freeze(c, 'c-1', 10);
    // An index entry whose reservation is gone (a cluster writes the entry first): nothing.
    const idle = await account('EUR', 500);
    await f.redis.zadd(f.store.keys.reservationIndex(), NOW, `${idle}|100|gone`);

    expect(await reservedMoneyByCurrency(f.redis, f.store.keys)).toEqual(
      new Map([
        ['CNY', 15 * 2 + 15 + 15 * 4],
        ['EUR', 15 * 10],
      ]),
    );
    await f.store.release({ opId: `op-${++ops}`, msisdn: a, sessionId: 'a-1', ratingGroup: 100, nowMs: NOW });
    expect((await reservedMoneyByCurrency(f.redis, f.store.keys)).get('CNY')).toBe(15 + 15 * 4);
  });

  it('counts the accounts of supervised sessions, whose reservations have no index entry', async () => {
    const supervision = `${f.store.keys.prefix}sess-supervision`;
    const before = (await reservedMoneyByCurrency(f.redis, f.store.keys, { supervision })).get('EUR') ?? 0;
    const e = await account('EUR', 10_000);
    await freeze(e, 'e-1', 2);
    await f.redis.zrem(f.store.keys.reservationIndex(), `${e}|100|e-1`);
    await f.redis.zadd(supervision, NOW, `${e}|e-1`);
    expect((await reservedMoneyByCurrency(f.redis, f.store.keys)).get('EUR') ?? 0).toBe(before);
    expect((await reservedMoneyByCurrency(f.redis, f.store.keys, { supervision })).get('EUR')).toBe(
      before + 30,
    );
    await f.store.release({ opId: `op-${++ops}`, msisdn: e, sessionId: 'e-1', ratingGroup: 100, nowMs: NOW });
    await f.redis.del(supervision);
  });

  it('above exactUpTo, sums once and lets the other reads take that sum until it expires', async () => {
    const options = { exactUpTo: 1, snapshotMs: 60_000 };
    const summed = await reservedMoneyByCurrency(f.redis, f.store.keys, options);
    expect(await f.redis.pttl(f.store.keys.reservedMoneySnapshot())).toBeGreaterThan(0);

    const d = await account('CNY', 10_000);
    await freeze(d, 'd-1', 1);
    expect(await reservedMoneyByCurrency(f.redis, f.store.keys, options)).toEqual(summed);
    expect((await reservedMoneyByCurrency(f.redis, f.store.keys)).get('CNY')).toBe(summed.get('CNY')! + 15);

    await f.redis.del(f.store.keys.reservedMoneySnapshot());
    expect((await reservedMoneyByCurrency(f.redis, f.store.keys, options)).get('CNY')).toBe(
      summed.get('CNY')! + 15,
    );
  });
});
