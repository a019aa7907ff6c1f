import type { Tariff } from '../../../src/rating/types.js';

/** The pps-world tariff: destinations, APN and roaming prices, a night and a weekend band. */
export const WORLD: Tariff = {
  id: 'pps-world',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  voice: {
    unitSeconds: 60,
    pricePerUnit: 15,
    terminatingPricePerUnit: 0,
    destinations: [
      { prefix: '86', name: 'national', pricePerUnit: 15 },
      { prefix: '8610', name: 'beijing', pricePerUnit: 10 },
      { prefix: '1', name: 'nanp', pricePerUnit: 120, unitSeconds: 6 },
      { prefix: '86168', name: 'premium', barred: true },
    ],
  },
  sms: { pricePerMessage: 10, destinations: [{ prefix: '1', name: 'nanp', pricePerMessage: 50 }] },
  data: {
    ratingGroups: {
      '10': { unitOctets: 1048576, pricePerUnit: 30 },
      '20': { unitOctets: 1024, pricePerUnit: 1 },
    },
    apns: { ims: { '10': { unitOctets: 1048576, pricePerUnit: 0 } } },
    roaming: [
      { mccMnc: '310', name: 'usa', ratingGroups: { '10': { unitOctets: 1048576, pricePerUnit: 300 } } },
      {
        mccMnc: '310260',
        name: 'usa-partner',
        ratingGroups: { '10': { unitOctets: 1048576, pricePerUnit: 200 } },
      },
    ],
  },
  timeBands: [
    { name: 'night', from: '23:00', to: '07:00', percent: 50 },
    { name: 'weekend', days: ['sat', 'sun'], percent: 70, services: ['voice', 'sms'] },
  ],
};

/** A moment given as Shanghai wall-clock time (UTC+8, no daylight saving). */
export function shanghai(day: string, hhmm: string): number {
  return Date.parse(`${day}T${hhmm}:00+08:00`);
}

/** Monday 7 December 2026 and Saturday 12 December 2026. */
export const MONDAY = '2026-12-07';
export const SATURDAY = '2026-12-12';
