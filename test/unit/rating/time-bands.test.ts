import { describe, expect, it } from 'vitest';
import type { Tariff } from '../../../src/catalog/schema.js';
import { wallClock } from '../../../src/rating/local-time.js';
import { rateByTariff } from '../../../src/rating/tariff.js';
import { bandAt, bandPrice, priceSchedule } from '../../../src/rating/time-bands.js';
import { MONDAY, SATURDAY, shanghai, WORLD } from './tariff-rules.js';

const BANDS = WORLD.timeBands!;
const at = (day: string, hhmm: string, service: 'voice' | 'sms' | 'data' = 'voice') =>
  bandAt(BANDS, service, wallClock('Asia/Shanghai', shanghai(day, hhmm)))?.name;
const national = (atMs: number, windowMs = 0) =>
  rateByTariff(
    WORLD,
    { kind: 'voice', role: 'originating' },
    { atMs, windowMs, otherParty: '8613900000001' },
  );

describe('time bands', () => {
  it('reads an overnight band in the tariff time zone, from included and to excluded', () => {
    expect(at(MONDAY, '22:59')).toBeUndefined();
    expect(at(MONDAY, '23:00')).toBe('night');
    expect(at(MONDAY, '03:00')).toBe('night');
    expect(at(MONDAY, '06:59')).toBe('night');
    expect(at(MONDAY, '07:00')).toBeUndefined();
    // 15:00 UTC is 23:00 in Shanghai.
    expect(bandAt(BANDS, 'voice', wallClock('Asia/Shanghai', Date.UTC(2026, 11, 7, 15)))?.name).toBe('night');
    expect(bandAt(BANDS, 'voice', wallClock('UTC', Date.UTC(2026, 11, 7, 15)))).toBeUndefined();
  });

  it('applies the first band that matches: the night before the weekend', () => {
    expect(at(SATURDAY, '12:00')).toBe('weekend');
    expect(at(SATURDAY, '23:30')).toBe('night');
  });

  it('applies a band only to the services it names', () => {
    expect(at(SATURDAY, '12:00', 'sms')).toBe('weekend');
    expect(at(SATURDAY, '12:00', 'data')).toBeUndefined();
    expect(at(SATURDAY, '23:30', 'data')).toBe('night');
  });

  it('gives an overnight band with days to the day it began on', () => {
    const fridayNight = [
      { name: 'fri-night', from: '22:00', to: '06:00', days: ['fri' as const], percent: 40 },
    ];
    const clock = (day: string, hhmm: string) => wallClock('Asia/Shanghai', shanghai(day, hhmm));
    expect(bandAt(fridayNight, 'voice', clock('2026-12-11', '23:00'))?.name).toBe('fri-night');
    expect(bandAt(fridayNight, 'voice', clock('2026-12-12', '02:00'))?.name).toBe('fri-night');
    expect(bandAt(fridayNight, 'voice', clock('2026-12-12', '23:00'))).toBeUndefined();
    expect(bandAt(fridayNight, 'voice', clock('2026-12-11', '02:00'))).toBeUndefined();
  });

  it('follows daylight saving in the tariff zone', () => {
    const paris = [{ name: 'evening', from: '20:00', to: '22:00', percent: 50 }];
    // 20:30 in Paris is 18:30 UTC in summer and 19:30 UTC in winter.
    expect(bandAt(paris, 'voice', wallClock('Europe/Paris', Date.UTC(2026, 6, 1, 18, 30)))?.name).toBe(
      'evening',
    );
    expect(bandAt(paris, 'voice', wallClock('Europe/Paris', Date.UTC(2026, 0, 15, 19, 30)))?.name).toBe(
      'evening',
    );
    expect(bandAt(paris, 'voice', wallClock('Europe/Paris', Date.UTC(2026, 0, 15, 18, 30)))).toBeUndefined();
  });

  it('rounds a band price up to a whole minor unit', () => {
    expect(bandPrice(15, 50)).toBe(8);
    expect(bandPrice(15, 70)).toBe(11);
    expect(bandPrice(10, 50)).toBe(5);
    expect(bandPrice(1, 1)).toBe(1);
    expect(bandPrice(0, 50)).toBe(0);
    expect(bandPrice(15, 0)).toBe(0);
    expect(bandPrice(15, 150)).toBe(23);
    expect(bandPrice(999_999_999_999_999, 99)).toBe(990_000_000_000_000);
    expect(bandPrice(999_999_999_999_999, 1000)).toBe(999_999_999_999_999);
  });

  it('prices a call by the band in force', () => {
    expect(national(shanghai(MONDAY, '12:00')).tiers[0]?.pricePerUnit).toBe(15);
    expect(national(shanghai(MONDAY, '23:30'))).toMatchObject({
      tiers: [{ pricePerUnit: 8 }],
      level: 'pps:pps-world:voice-mo:national@night',
    });
    expect(national(shanghai(SATURDAY, '12:00')).tiers[0]?.pricePerUnit).toBe(11);
  });
});

describe('a tariff change within a grant (RFC 4006 §8.20)', () => {
  it('announces the next change of price within the window, with the price after it', () => {
    const r = national(shanghai(MONDAY, '22:50'), 3_600_000);
    expect(r.tiers).toEqual([{ bucket: 'money', unitSize: 60, pricePerUnit: 15, priceAfterChange: 8 }]);
    expect(r.tariffChangeAtMs).toBe(shanghai(MONDAY, '23:00'));
    expect(r.validUntilMs).toBeUndefined();
    expect(r.level).toBe('pps:pps-world:voice-mo:national@full>night');
  });

  it('announces none when the window ends before the change', () => {
    const r = national(shanghai(MONDAY, '22:50'), 600_000);
    expect(r.tariffChangeAtMs).toBe(shanghai(MONDAY, '23:00'));
    const before = national(shanghai(MONDAY, '22:50'), 599_000);
    expect(before.tariffChangeAtMs).toBeUndefined();
    expect(before.tiers).toEqual([{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }]);
  });

  it('ends the grant at a second change: one grant spans one tariff change', () => {
    const r = national(shanghai(MONDAY, '22:50'), 9 * 3_600_000);
    expect(r.tariffChangeAtMs).toBe(shanghai(MONDAY, '23:00'));
    expect(r.validUntilMs).toBe(shanghai('2026-12-08', '07:00'));
  });

  it('sees a change from the night band to the weekend band at Saturday 07:00', () => {
    const s = priceSchedule(WORLD, 'voice', 15, shanghai(SATURDAY, '06:30'), 3_600_000);
    expect(s.now).toMatchObject({ price: 8 });
    expect(s.next).toMatchObject({ atMs: shanghai(SATURDAY, '07:00'), price: 11 });
    expect(s.next?.band?.name).toBe('weekend');
  });

  it('sees no change where bands meet at the same price', () => {
    const same: Tariff = {
      ...WORLD,
      timeBands: [
        { name: 'a', from: '22:00', to: '23:00', percent: 50 },
        { name: 'b', from: '23:00', to: '01:00', percent: 50 },
      ],
    };
    const s = priceSchedule(same, 'voice', 15, shanghai(MONDAY, '22:30'), 3_600_000);
    expect(s.next).toBeUndefined();
  });

  it('finds the change at the start of the weekend, at local midnight', () => {
    const s = priceSchedule(WORLD, 'data', 30, shanghai('2026-12-11', '06:30'), 3_600_000);
    expect(s.next).toMatchObject({ atMs: shanghai('2026-12-11', '07:00'), price: 30 });
    const weekend = priceSchedule(
      { ...WORLD, timeBands: [BANDS[1]!] },
      'sms',
      10,
      shanghai('2026-12-11', '23:50'),
      3_600_000,
    );
    expect(weekend.next).toMatchObject({ atMs: shanghai(SATURDAY, '00:00'), price: 7 });
  });
});
