/**
 * apply and deduct against a small reference model of the tier rules (DESIGN §3), on random
 * balances, thresholds, tiers, requests and usage.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tier } from '../../../src/balance/index.js';
import { balanceFixture, msisdn } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const BUCKETS = ['money', 'free-seconds', 'free-credit'];
const NOW = 1_790_000_000_000;

type Balances = Record<string, number>;

function spendable(b: Balances, name: string, threshold: number, keep: boolean): number {
  const s = (b[name] ?? 0) - (keep && name === 'money' ? threshold : 0);
  return Math.max(0, s);
}

function modelApply(b: Balances, threshold: number, tiers: Tier[], units: number) {
  let remaining = units;
  let granted = 0;
  const held = tiers.map((t) => {
    if (remaining === 0) return 0;
    let n = Math.ceil(remaining / t.unitSize);
    if (t.maxUnits !== undefined) n = Math.min(n, t.maxUnits);
    if (t.pricePerUnit > 0)
      n = Math.min(n, Math.floor(spendable(b, t.bucket, threshold, true) / t.pricePerUnit));
    b[t.bucket] = (b[t.bucket] ?? 0) - n * t.pricePerUnit;
    granted += n * t.unitSize;
    remaining = Math.max(0, remaining - n * t.unitSize);
    return n;
  });
  const more = tiers.some(
    (t) =>
      t.maxUnits !== 0 && (t.pricePerUnit === 0 || spendable(b, t.bucket, threshold, true) >= t.pricePerUnit),
  );
  return { granted, held, final: !more };
}

function modelDeduct(b: Balances, tiers: Tier[], held: number[], used: number, chargeAvailable: boolean) {
  let remaining = used;
  const spent: Balances = {};
  tiers.forEach((t, i) => {
    if (remaining === 0 || (held[i] ?? 0) === 0) return;
    const n = Math.min(Math.ceil(remaining / t.unitSize), held[i] ?? 0);
    spent[t.bucket] = (spent[t.bucket] ?? 0) + n * t.pricePerUnit;
    remaining = Math.max(0, remaining - n * t.unitSize);
  });
  if (chargeAvailable) {
    for (const t of tiers) {
      if (remaining === 0) break;
      let n = Math.ceil(remaining / t.unitSize);
      if (t.pricePerUnit > 0) n = Math.min(n, Math.floor(spendable(b, t.bucket, 0, false) / t.pricePerUnit));
      b[t.bucket] = (b[t.bucket] ?? 0) - n * t.pricePerUnit;
      spent[t.bucket] = (spent[t.bucket] ?? 0) + n * t.pricePerUnit;
      remaining = Math.max(0, remaining - n * t.unitSize);
    }
  }
  return {
    uncharged: remaining,
    spent: Object.fromEntries(Object.entries(spent).filter(([, v]) => v !== 0)),
  };
}

const tier = fc.record(
  {
    bucket: fc.constantFrom(...BUCKETS),
    unitSize: fc.constantFrom(1, 10, 60, 1_048_576),
    pricePerUnit: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 1e12 }),
    ),
    maxUnits: fc.integer({ min: 0, max: 20 }),
  },
  { requiredKeys: ['bucket', 'unitSize', 'pricePerUnit'] },
);

const scenario = fc.record({
  balances: fc.record({
    money: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1e15 - 1 })),
    'free-seconds': fc.integer({ min: 0, max: 20_000 }),
    'free-credit': fc.integer({ min: 0, max: 1000 }),
  }),
  threshold: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 })),
  tiers: fc.array(tier, { minLength: 1, maxLength: 4 }),
  units: fc.integer({ min: 1, max: 50_000_000 }),
  usedFraction: fc.double({ min: 0, max: 2, noNaN: true }),
  chargeAvailable: fc.boolean(),
});

describe('tier arithmetic', () => {
  it('matches the reference model for apply then deduct', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        run += 1;
        const m = msisdn();
        await f.store.upsertAccount({ msisdn: m, buckets: s.balances, minThreshold: s.threshold });
        const b: Balances = { ...s.balances };
        const expected = modelApply(b, s.threshold, s.tiers, s.units);
        const ref = { msisdn: m, sessionId: `s${run}`, ratingGroup: 0, nowMs: NOW };
        const apply = f.store.apply({
          ...ref,
          opId: `a${run}`,
          tiers: s.tiers,
          units: s.units,
          expiresAtMs: NOW,
        });
        if (expected.granted === 0) {
          await expect(apply).rejects.toThrow(/credit limit/);
          return;
        }
        const got = await apply;
        expect(got.granted).toBe(expected.granted);
        expect(got.final).toBe(expected.final);
        expect(got.tiers.map((t) => t.units)).toEqual(expected.held);
        expect(got.moneyAvailable).toBe(b.money);

        const used = Math.floor(expected.granted * s.usedFraction);
        const d = modelDeduct(b, s.tiers, expected.held, used, s.chargeAvailable);
        const overuse = s.chargeAvailable ? 'charge-available' : 'refuse';
        const deducted = await f.store.deduct({ ...ref, opId: `d${run}`, used, overuse });
        expect(deducted.uncharged).toBe(d.uncharged);
        expect(deducted.amounts).toEqual(d.spent);
        await f.store.release({ ...ref, opId: `r${run}` });
        const view = await f.store.getAccount(m);
        for (const name of BUCKETS) {
          const bucket = view?.buckets[name] ?? { available: 0, reserved: 0, spent: 0 };
          expect(bucket.reserved).toBe(0);
          expect(bucket.available).toBeGreaterThanOrEqual(0);
          expect(bucket.available + bucket.spent).toBe(s.balances[name as keyof typeof s.balances]);
          expect(bucket.spent).toBe(d.spent[name] ?? 0);
        }
      }),
      { numRuns: 200, seed: 4006 },
    );
  });
});
