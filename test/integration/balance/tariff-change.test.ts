import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, type Tier } from '../../../src/balance/index.js';
import { balanceFixture, msisdn } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const LATER = NOW + 600_000;
let n = 0;

/** 0.20 a minute before the tariff change (peak), 0.10 after it (night). */
const PEAK_TO_NIGHT: Tier[] = [{ bucket: 'money', unitSize: 60, pricePerUnit: 20, priceAfterChange: 10 }];
/** 0.10 a minute before, 0.20 after. */
const NIGHT_TO_PEAK: Tier[] = [{ bucket: 'money', unitSize: 60, pricePerUnit: 10, priceAfterChange: 20 }];

async function granted(tiers: Tier[], units: number, money = 1000) {
  const m = msisdn();
  n += 1;
  const sessionId = `tc-${n}`;
  await f.store.upsertAccount({ msisdn: m, buckets: { money } });
  const apply = await f.store.apply({
    opId: `${sessionId}#0`,
    msisdn: m,
    sessionId,
    ratingGroup: 0,
    tiers,
    units,
    nowMs: NOW,
    expiresAtMs: LATER,
  });
  const settle = (used: number, usedAfterChange: number) =>
    f.store.settle({
      opId: `${sessionId}#1`,
      msisdn: m,
      sessionId,
      ratingGroup: 0,
      used,
      usedAfterChange,
      nowMs: NOW + 1000,
    });
  return { m, apply, settle };
}

async function money(m: string) {
  const view = await f.store.getAccount(m);
  return view!.buckets.money!;
}

describe('a grant across a tariff change (RFC 4006 §8.20, §8.27)', () => {
  it('freezes the dearer side, whichever side it is', async () => {
    const a = await granted(PEAK_TO_NIGHT, 180);
    expect(a.apply.tiers).toEqual([{ bucket: 'money', units: 3, amount: 60 }]);
    expect(await money(a.m)).toMatchObject({ available: 940, reserved: 60 });
    const b = await granted(NIGHT_TO_PEAK, 180);
    expect(b.apply.tiers).toEqual([{ bucket: 'money', units: 3, amount: 60 }]);
    const [reservation] = await f.store.listReservations(b.m);
    expect(reservation!.tiers[0]).toMatchObject({ pricePerUnit: 10, priceAfterChange: 20, amount: 60 });
  });

  it('charges units before the change at the price before and units after at the price after', async () => {
    const { m, settle } = await granted(PEAK_TO_NIGHT, 180);
    const r = await settle(150, 90);
    // 60 s before: 1 unit at 20; 90 s after: 2 units at 10.
    expect(r).toMatchObject({ charged: 150, uncharged: 0, amounts: { money: 40 } });
    expect(await money(m)).toEqual({ available: 960, reserved: 0, spent: 40 });
  });

  it('charges a unit started before the change at the price before, its rest covering usage after', async () => {
    const { m, settle } = await granted(NIGHT_TO_PEAK, 180);
    // 30 s before and 30 s after: the one started minute costs the price before.
    const r = await settle(60, 30);
    expect(r).toMatchObject({ charged: 60, amounts: { money: 10 } });
    expect(await money(m)).toEqual({ available: 990, reserved: 0, spent: 10 });
  });

  it('charges usage reported without the split at the price in force when the grant was made', async () => {
    const { m, settle } = await granted(NIGHT_TO_PEAK, 180);
    const r = await settle(120, 0);
    expect(r).toMatchObject({ amounts: { money: 20 } });
    expect(await money(m)).toEqual({ available: 980, reserved: 0, spent: 20 });
  });

  it('charges usage after the change beyond the grant from what is available, at the price after', async () => {
    const { m, settle } = await granted(PEAK_TO_NIGHT, 60);
    // 60 s before (the frozen unit, at 20), then 120 s after beyond the grant: 2 units at 10.
    const r = await settle(180, 120);
    expect(r).toMatchObject({ charged: 180, uncharged: 0, amounts: { money: 40 } });
    expect(await money(m)).toEqual({ available: 960, reserved: 0, spent: 40 });
  });

  it('refuses more units after the change than were used, changing nothing', async () => {
    const { m, settle } = await granted(PEAK_TO_NIGHT, 60);
    await expect(settle(30, 60)).rejects.toThrow(InvalidArgumentError);
    expect(await money(m)).toEqual({ available: 980, reserved: 20, spent: 0 });
  });
});

describe('a tariff change, every combination', () => {
  it('never charges more than the dearest price per started unit, nor less than zero, and loses no money', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          before: fc.integer({ min: 0, max: 500 }),
          after: fc.integer({ min: 0, max: 500 }),
          unitSize: fc.integer({ min: 1, max: 120 }),
          granted: fc.integer({ min: 1, max: 600 }),
          used: fc.integer({ min: 0, max: 900 }),
          afterShare: fc.double({ min: 0, max: 1, noNaN: true }),
          money: fc.integer({ min: 0, max: 100_000 }),
        }),
        async ({ before, after, unitSize, granted: units, used, afterShare, money }) => {
          const m = msisdn();
          n += 1;
          const sessionId = `tcp-${n}`;
          await f.store.upsertAccount({ msisdn: m, buckets: { money } });
          const tiers: Tier[] = [
            { bucket: 'money', unitSize, pricePerUnit: before, priceAfterChange: after },
          ];
          try {
            await f.store.apply({
              opId: `${sessionId}#0`,
              msisdn: m,
              sessionId,
              ratingGroup: 0,
              tiers,
              units,
              nowMs: NOW,
              expiresAtMs: LATER,
            });
          } catch {
            return; // not one unit affordable: nothing to settle
          }
          const usedAfterChange = Math.floor(used * afterShare);
          const r = await f.store.settle({
            opId: `${sessionId}#1`,
            msisdn: m,
            sessionId,
            ratingGroup: 0,
            used,
            usedAfterChange,
            nowMs: NOW + 1,
          });
          const b = (await f.store.getAccount(m))!.buckets.money!;
          expect(b.available + b.reserved + b.spent).toBe(money);
          expect(b.reserved).toBe(0);
          expect(b.spent).toBeGreaterThanOrEqual(0);
          expect(b.spent).toBeLessThanOrEqual(Math.ceil(used / unitSize) * Math.max(before, after));
          if (r.uncharged === 0) {
            expect(b.spent).toBeGreaterThanOrEqual(Math.ceil(used / unitSize) * Math.min(before, after));
          }
          expect(r.amounts.money ?? 0).toBe(b.spent);
        },
      ),
      { numRuns: 60 },
    );
  });
});
