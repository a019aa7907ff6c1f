/**
 * Bundles in the balance scripts with a real Redis (DESIGN §3, Bundles): buying one takes the
 * fee and credits the units in one call; grants take from bundles before money, the one ending
 * soonest first, and never from a bundle past its end at the request's time; ended bundles
 * are written off and cleared.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InsufficientFundsError, type Tier } from '../../../src/balance/index.js';
import { AccountBundles } from '../../../src/bundles/account-bundles.js';
import { bundleBucket } from '../../../src/bundles/model.js';
import { bundleSchema, type Bundle } from '../../../src/catalog/bundles.js';
import { balanceFixture, msisdn } from '../balance/fixture.js';

const f = balanceFixture();
const bundles = new AccountBundles(f.redis, f.store);
afterAll(() => f.cleanup());

const MiB = 1_048_576;
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const DAY = 86_400_000;

const data = (id: string, mib: number, fee: number, days: number): Bundle =>
  bundleSchema.parse({
    id,
    fee,
    units: { octets: mib * MiB },
    appliesTo: { service: 'data', ratingGroups: ['10'] },
    validity: { days },
  });

/** The tiers rating gives a data grant on RG 10 with these bundles: bundles by end, then money at 0.30/MiB. */
const tiers = (...buckets: string[]): Tier[] => [
  ...buckets.map((bucket) => ({ bucket, unitSize: MiB, pricePerUnit: MiB })),
  { bucket: 'money', unitSize: MiB, pricePerUnit: 30 },
];

async function buckets(m: string) {
  return (await f.store.getAccount(m))!.buckets;
}

describe('buying a bundle', () => {
  it('takes the fee from money and credits the units, in one ledger entry', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 5000 } }, NOW);
    const added = await bundles.add({
      msisdn: m,
      bundle: data('d5', 5, 3000, 30),
      opId: 'buy:1',
      reference: 'r1',
      nowMs: NOW,
    });
    const bucket = bundleBucket('d5', NOW + 30 * DAY);
    expect(added).toMatchObject({
      bucket,
      units: 5 * MiB,
      fee: 3000,
      available: 5 * MiB,
      moneyAvailable: 2000,
    });
    expect(await buckets(m)).toEqual({
      money: { available: 2000, reserved: 0, spent: 3000 },
      [bucket]: { available: 5 * MiB, reserved: 0, spent: 0 },
    });
    const ledger = await f.store.readLedger(m);
    expect(ledger.at(-1)).toMatchObject({
      op: 'bundle',
      opId: 'buy:1',
      extra: { ref: 'r1', bundle: 'd5', fee: '3000' },
    });
    // The same operation again changes nothing and answers the same.
    expect(
      await bundles.add({ msisdn: m, bundle: data('d5', 5, 3000, 30), opId: 'buy:1', nowMs: NOW + 1000 }),
    ).toMatchObject({
      units: 5 * MiB,
      moneyAvailable: 2000,
    });
    expect((await buckets(m)).money).toEqual({ available: 2000, reserved: 0, spent: 3000 });
    expect(await bundles.held(m, NOW)).toMatchObject([
      { bundle: 'd5', bucket, available: 5 * MiB, units: 5 * MiB },
    ]);
  });

  it('is refused, changing nothing, when money above the minimum threshold cannot pay the fee', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, minThreshold: 100, buckets: { money: 3050 } }, NOW);
    await expect(
      bundles.add({ msisdn: m, bundle: data('d5', 5, 3000, 30), opId: 'buy:1', nowMs: NOW }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await buckets(m)).toEqual({ money: { available: 3050, reserved: 0, spent: 0 } });
    // Not remembered: after a top-up the same operation succeeds.
    await f.store.topup({ opId: 'top', msisdn: m, amount: 100, nowMs: NOW });
    await bundles.add({ msisdn: m, bundle: data('d5', 5, 3000, 30), opId: 'buy:1', nowMs: NOW });
    expect((await buckets(m)).money!.available).toBe(150);
  });
});

describe('grants', () => {
  it('take from the bundle ending soonest, then the next, then money, in one grant', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 } }, NOW);
    const late = await bundles.add({ msisdn: m, bundle: data('late', 3, 0, 30), opId: 'b1', nowMs: NOW });
    const soon = await bundles.add({ msisdn: m, bundle: data('soon', 2, 0, 7), opId: 'b2', nowMs: NOW });
    const grant = await f.store.apply({
      opId: 'g1',
      msisdn: m,
      sessionId: 's1',
      ratingGroup: 10,
      units: 7 * MiB,
      expiresAtMs: NOW + 60_000,
      tiers: tiers(soon.bucket, late.bucket),
      nowMs: NOW,
    });
    expect(grant.granted).toBe(7 * MiB);
    expect(grant.tiers).toEqual([
      { bucket: soon.bucket, units: 2, amount: 2 * MiB },
      { bucket: late.bucket, units: 3, amount: 3 * MiB },
      { bucket: 'money', units: 2, amount: 60 },
    ]);
    // 6.5 MiB used: both bundles spent, 2 started MiB of money.
    const settled = await f.store.settle({
      opId: 'g2',
      msisdn: m,
      sessionId: 's1',
      ratingGroup: 10,
      used: 6.5 * MiB,
      units: 0,
      nowMs: NOW + 30_000,
    });
    expect(settled.charged).toBe(6.5 * MiB);
    expect(await buckets(m)).toEqual({
      money: { available: 940, reserved: 0, spent: 60 },
      [soon.bucket]: { available: 0, reserved: 0, spent: 2 * MiB },
      [late.bucket]: { available: 0, reserved: 0, spent: 3 * MiB },
    });
  });

  it('never take from a bundle past its end at the request time, even when the rater offers it', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 } }, NOW);
    const b = await bundles.add({ msisdn: m, bundle: data('wk', 5, 0, 7), opId: 'b1', nowMs: NOW });
    const after = b.endsAtMs;
    const grant = await f.store.apply({
      opId: 'g1',
      msisdn: m,
      sessionId: 's1',
      ratingGroup: 10,
      units: MiB,
      expiresAtMs: after + 60_000,
      tiers: tiers(b.bucket),
      nowMs: after,
    });
    expect(grant.tiers).toEqual([
      { bucket: b.bucket, units: 0, amount: 0 },
      { bucket: 'money', units: 1, amount: 30 },
    ]);
    // A millisecond before its end it is still used.
    const before = await f.store.apply({
      opId: 'g2',
      msisdn: m,
      sessionId: 's2',
      ratingGroup: 10,
      units: MiB,
      expiresAtMs: after + 60_000,
      tiers: tiers(b.bucket),
      nowMs: after - 1,
    });
    expect(before.tiers[0]).toEqual({ bucket: b.bucket, units: 1, amount: MiB });
    // Usage beyond a grant, charged from what is available, skips the ended bundle too.
    await f.store.settle({
      opId: 'g3',
      msisdn: m,
      sessionId: 's1',
      ratingGroup: 10,
      used: 3 * MiB,
      units: 0,
      nowMs: after + 10,
    });
    expect((await buckets(m))[b.bucket]!.available).toBe(4 * MiB);
    expect((await buckets(m)).money!.spent).toBe(90);
  });

  it('leave a bundle whose end has come to be written off and cleared, once no session holds it', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 } }, NOW);
    const b = await bundles.add({ msisdn: m, bundle: data('wk', 5, 0, 7), opId: 'b1', nowMs: NOW });
    await f.store.apply({
      opId: 'g1',
      msisdn: m,
      sessionId: 's1',
      ratingGroup: 10,
      units: MiB,
      expiresAtMs: NOW + 60_000,
      tiers: tiers(b.bucket),
      nowMs: NOW,
    });
    expect(await bundles.expire(m, b.endsAtMs)).toEqual({ expired: [], held: [b.bucket] });
    await f.store.settle({
      opId: 'g2',
      msisdn: m,
      sessionId: 's1',
      ratingGroup: 10,
      used: MiB,
      units: 0,
      nowMs: b.endsAtMs,
    });
    expect(await bundles.expire(m, b.endsAtMs)).toEqual({
      expired: [{ bucket: b.bucket, units: 4 * MiB }],
      held: [],
    });
    expect(await buckets(m)).toEqual({ money: { available: 1000, reserved: 0, spent: 0 } });
    expect(await bundles.holdings(m)).toEqual([]);
    expect(await f.redis.sismember(bundles.keys.holders(), m)).toBe(0);
    expect((await f.store.readLedger(m)).at(-1)).toMatchObject({ op: 'bundle-expire' });
  });
});
