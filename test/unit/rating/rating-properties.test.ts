import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WEEKDAYS, type Tariff } from '../../../src/catalog/schema.js';
import { wallClock } from '../../../src/rating/local-time.js';
import { rateByTariff } from '../../../src/rating/tariff.js';
import { bandAt, bandPrice } from '../../../src/rating/time-bands.js';
import { BarredDestinationError } from '../../../src/rating/types.js';

const price = fc.integer({ min: 0, max: 100_000 });
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const band = fc
  .record({
    name: fc.constantFrom('night', 'peak', 'weekend', 'lunch'),
    times: fc.option(
      fc.tuple(hhmm, hhmm).filter(([a, b]) => a !== b),
      { nil: undefined },
    ),
    days: fc.option(fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }), {
      nil: undefined,
    }),
    percent: fc.integer({ min: 0, max: 1000 }),
    services: fc.option(fc.uniqueArray(fc.constantFrom('voice', 'sms', 'data' as const), { minLength: 1 }), {
      nil: undefined,
    }),
  })
  .filter((b) => b.times !== undefined || b.days !== undefined)
  .map(({ times, days, services, ...rest }) => ({
    ...rest,
    ...(times ? { from: times[0], to: times[1] } : {}),
    ...(days ? { days } : {}),
    ...(services ? { services } : {}),
  }));

const destination = fc.record({
  prefix: fc.stringMatching(/^[1-9]\d{0,4}$/),
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  pricePerUnit: price,
  barred: fc.boolean(),
});

const tariff: fc.Arbitrary<Tariff> = fc
  .record({
    timeZone: fc.constantFrom('UTC', 'Asia/Shanghai', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'),
    base: price,
    destinations: fc.uniqueArray(destination, { selector: (d) => d.prefix, maxLength: 6 }),
    timeBands: fc.array(band, { maxLength: 4 }),
  })
  .map(({ timeZone, base, destinations, timeBands }) => ({
    id: 't',
    currency: 'CNY',
    timeZone,
    voice: { unitSeconds: 60, pricePerUnit: base, terminatingPricePerUnit: 0, destinations },
    timeBands,
  }));

/** 2026 and 2027, daylight-saving changes included. */
const moment = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) });
const called = fc.stringMatching(/^[1-9]\d{5,12}$/);
const windowMs = fc.integer({ min: 0, max: 2 * 86_400_000 });

/** The dearest any unit of the tariff can cost: its dearest base price in its dearest band. */
function dearest(t: Tariff): number {
  const bases = [t.voice!.pricePerUnit, ...t.voice!.destinations!.map((d) => d.pricePerUnit ?? 0)];
  const percents = [100, ...t.timeBands!.map((b) => b.percent)];
  return bandPrice(Math.max(...bases), Math.max(...percents));
}

/** The price at a moment, straight from the bands, for a base price. */
function priceAt(t: Tariff, base: number, atMs: number): number {
  return bandPrice(base, bandAt(t.timeBands!, 'voice', wallClock(t.timeZone!, atMs))?.percent);
}

function rate(t: Tariff, atMs: number, otherParty: string, window: number) {
  try {
    return rateByTariff(t, { kind: 'voice', role: 'originating' }, { atMs, windowMs: window, otherParty });
  } catch (err) {
    if (err instanceof BarredDestinationError) return undefined;
    throw err;
  }
}

describe('rating properties', () => {
  it('never prices a unit below zero or above the dearest price of the tariff', () => {
    fc.assert(
      fc.property(tariff, moment, called, windowMs, (t, atMs, number, window) => {
        const r = rate(t, atMs, number, window);
        if (!r) return;
        const limit = dearest(t);
        for (const tier of r.tiers) {
          for (const p of [tier.pricePerUnit, tier.priceAfterChange ?? 0]) {
            expect(Number.isInteger(p)).toBe(true);
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(limit);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses exactly the numbers whose longest matching prefix is barred', () => {
    fc.assert(
      fc.property(tariff, called, (t, number) => {
        const matches = t.voice!.destinations!.filter((d) => number.startsWith(d.prefix));
        const longest = matches.sort((a, b) => b.prefix.length - a.prefix.length)[0];
        expect(rate(t, 0, number, 0) === undefined).toBe(longest?.barred === true);
      }),
      { numRuns: 300 },
    );
  });

  it('announces a change exactly where the price changes, and holds each price until the next', () => {
    fc.assert(
      fc.property(
        tariff,
        moment,
        windowMs,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (t, atMs, window, f) => {
          const r = rate(t, atMs, '0', window);
          if (!r) return;
          const base = t.voice!.pricePerUnit;
          const tier = r.tiers[0]!;
          expect(tier.pricePerUnit).toBe(priceAt(t, base, atMs));
          const change = r.tariffChangeAtMs;
          const end = r.validUntilMs ?? atMs + window;
          // A moment picked within the grant is at the price before or after the change.
          const probe = Math.floor(atMs + f * (end - atMs));
          if (change === undefined) {
            expect(priceAt(t, base, probe)).toBe(tier.pricePerUnit);
            return;
          }
          expect(change).toBeGreaterThan(atMs);
          expect(change).toBeLessThanOrEqual(atMs + window);
          expect(tier.priceAfterChange).not.toBe(tier.pricePerUnit);
          expect(priceAt(t, base, change)).toBe(tier.priceAfterChange);
          expect(priceAt(t, base, change - 60_000)).toBe(tier.pricePerUnit);
          const expected = probe < change ? tier.pricePerUnit : tier.priceAfterChange;
          if (probe < end) expect(priceAt(t, base, probe)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
