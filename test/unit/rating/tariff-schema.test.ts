import { describe, expect, it } from 'vitest';
import { tariffSchema } from '../../../src/catalog/schema.js';
import { WORLD } from './tariff-rules.js';

/** Each problem as `path: message`, as the provisioning document reports them. */
function problems(tariff: unknown): string[] {
  const r = tariffSchema.safeParse(tariff);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('the tariff shape: destinations, time zone, bands, APNs, roaming', () => {
  it("takes the issue's pps-world tariff", () => {
    expect(problems(WORLD)).toEqual([]);
  });

  it('refuses the same prefix twice, naming the second', () => {
    const voice = {
      ...WORLD.voice,
      destinations: [
        { prefix: '86', name: 'national', pricePerUnit: 15 },
        { prefix: '86', name: 'again', pricePerUnit: 12 },
      ],
    };
    expect(problems({ ...WORLD, voice })).toEqual(['voice.destinations.1.prefix: the same prefix as [0]']);
  });

  it('needs a price for a destination unless it is barred', () => {
    const sms = { pricePerMessage: 10, destinations: [{ prefix: '1', name: 'nanp' }] };
    expect(problems({ ...WORLD, sms })).toEqual([
      'sms.destinations.0.pricePerMessage: is required unless the destination is barred',
    ]);
  });

  it('refuses a prefix that is not E.164 digits', () => {
    const voice = { ...WORLD.voice, destinations: [{ prefix: '+86', name: 'national', pricePerUnit: 1 }] };
    expect(problems({ ...WORLD, voice })).toEqual([
      'voice.destinations.0.prefix: must be 1 to 15 digits (E.164, without +)',
    ]);
  });

  it('refuses a band whose from equals its to, or that has one without the other', () => {
    expect(
      problems({ ...WORLD, timeBands: [{ name: 'x', from: '07:00', to: '07:00', percent: 50 }] }),
    ).toEqual(['timeBands.0.to: must differ from from: the band would be empty']);
    expect(problems({ ...WORLD, timeBands: [{ name: 'x', from: '07:00', percent: 50 }] })).toEqual([
      'timeBands.0.to: from and to go together',
    ]);
    expect(problems({ ...WORLD, timeBands: [{ name: 'x', percent: 50 }] })).toEqual([
      'timeBands.0.days: a band needs days, or from and to',
    ]);
  });

  it('refuses a time that is no time of day, a day that is no day, a percent out of range', () => {
    const bands = [{ name: 'x', from: '24:00', to: '07:00', days: ['sat', 'someday'], percent: 1001 }];
    expect(problems({ ...WORLD, timeBands: bands })).toEqual([
      'timeBands.0.from: must be a time of day HH:MM, 00:00 to 23:59',
      expect.stringMatching(/^timeBands\.0\.days\.1: /),
      'timeBands.0.percent: must be at most 1000',
    ]);
  });

  it('refuses a time zone Intl does not know', () => {
    expect(problems({ ...WORLD, timeZone: 'Mars/Olympus' })).toEqual([
      'timeZone: must be an IANA time zone such as Asia/Shanghai',
    ]);
  });

  it('refuses a roaming network that is no MCC or MCC+MNC, and one written twice', () => {
    const roaming = [
      { mccMnc: '31', name: 'a', ratingGroups: {} },
      { mccMnc: '460', name: 'b', ratingGroups: {} },
      { mccMnc: '460', name: 'c', ratingGroups: {} },
    ];
    expect(problems({ ...WORLD, data: { ratingGroups: {}, roaming } })).toEqual([
      'data.roaming.0.mccMnc: must be an MCC (3 digits) or MCC and MNC (5 or 6 digits)',
      'data.roaming.2.mccMnc: the same network as [1]',
    ]);
  });

  it('refuses an APN price for something that is not a rating group', () => {
    const data = { ratingGroups: {}, apns: { ims: { ten: { unitOctets: 1, pricePerUnit: 0 } } } };
    expect(problems({ ...WORLD, data })).toEqual([
      'data.apns.ims.ten: a rating group is a number from 0 to 4294967295',
    ]);
  });
});
