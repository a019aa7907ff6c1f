import { describe, expect, it } from 'vitest';
import { priceOf, rateByTariff } from '../../../src/rating/tariff.js';
import { RatingError, type Tariff } from '../../../src/rating/types.js';

const NOW = { atMs: Date.UTC(2026, 11, 7, 12) };

const tariff: Tariff = {
  id: 'pps-standard',
  currency: 'CNY',
  voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
  sms: { pricePerMessage: 10 },
  data: {
    ratingGroups: {
      '10': { unitOctets: 1048576, pricePerUnit: 30 },
      '20': { unitOctets: 1048576, pricePerUnit: 0 },
    },
  },
};

describe('rating by the plain prepaid tariff', () => {
  it('prices an originating call per started minute and a terminating one at its own price', () => {
    expect(rateByTariff(tariff, { kind: 'voice', role: 'originating' }, NOW).tiers).toEqual([
      { bucket: 'money', unitSize: 60, pricePerUnit: 15 },
    ]);
    expect(rateByTariff(tariff, { kind: 'voice', role: 'terminating' }, NOW).tiers).toEqual([
      { bucket: 'money', unitSize: 60, pricePerUnit: 0 },
    ]);
  });

  it('prices SMS per message and data per started unit of its rating group', () => {
    expect(rateByTariff(tariff, { kind: 'sms' }, NOW).tiers).toEqual([
      { bucket: 'money', unitSize: 1, pricePerUnit: 10 },
    ]);
    expect(rateByTariff(tariff, { kind: 'data', ratingGroup: 10 }, NOW).tiers).toEqual([
      { bucket: 'money', unitSize: 1048576, pricePerUnit: 30 },
    ]);
    expect(rateByTariff(tariff, { kind: 'data', ratingGroup: 20 }, NOW).tiers[0]?.pricePerUnit).toBe(0);
  });

  it('refuses a rating group or service the tariff does not price', () => {
    expect(() => rateByTariff(tariff, { kind: 'data', ratingGroup: 99 }, NOW)).toThrow(RatingError);
    expect(() => rateByTariff({ id: 'x', currency: 'CNY' }, { kind: 'sms' }, NOW)).toThrow(/no SMS price/);
  });

  it('charges a started unit in full', () => {
    const voice = rateByTariff(tariff, { kind: 'voice', role: 'originating' }, NOW);
    expect(priceOf(voice, 1)).toBe(15);
    expect(priceOf(voice, 60)).toBe(15);
    expect(priceOf(voice, 61)).toBe(30);
    expect(priceOf(voice, 0)).toBe(0);
  });
});
