import { describe, expect, it } from 'vitest';
import { destinationOf } from '../../../src/rating/destinations.js';
import { priceOf, rateByTariff } from '../../../src/rating/tariff.js';
import { BarredDestinationError } from '../../../src/rating/types.js';
import { MONDAY, shanghai, WORLD } from './tariff-rules.js';

const NOON = { atMs: shanghai(MONDAY, '12:00') };
const call = (otherParty: string) =>
  rateByTariff(WORLD, { kind: 'voice', role: 'originating' }, { ...NOON, otherParty });

describe('destinations: the longest prefix of the called number', () => {
  it('picks the longest prefix that matches', () => {
    const list = WORLD.voice!.destinations!;
    expect(destinationOf(list, '8613900000001')?.name).toBe('national');
    expect(destinationOf(list, '861062345678')?.name).toBe('beijing');
    expect(destinationOf(list, '12125550100')?.name).toBe('nanp');
    expect(destinationOf(list, '8616800000000')?.name).toBe('premium');
    expect(destinationOf(list, '447700900000')).toBeUndefined();
    expect(destinationOf(list, undefined)).toBeUndefined();
    expect(destinationOf(undefined, '86')).toBeUndefined();
  });

  it('prices a call by its destination, with its own unit where it has one', () => {
    expect(call('8613900000001')).toMatchObject({
      tiers: [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }],
      destination: 'national',
      level: 'pps:pps-world:voice-mo:national',
    });
    expect(call('861062345678')).toMatchObject({
      tiers: [{ unitSize: 60, pricePerUnit: 10 }],
      destination: 'beijing',
    });
    const nanp = call('12125550100');
    expect(nanp.tiers).toEqual([{ bucket: 'money', unitSize: 6, pricePerUnit: 120 }]);
    // 61 seconds to New York: eleven started 6-second units.
    expect(priceOf(nanp, 61)).toBe(11 * 120);
  });

  it('prices a number that matches no destination at the voice price, naming none', () => {
    const r = call('447700900000');
    expect(r.tiers).toEqual([{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }]);
    expect(r.destination).toBeUndefined();
    expect(r.level).toBe('pps:pps-world:voice-mo');
  });

  it('refuses a barred destination, for calls and SMS alike', () => {
    expect(() => call('8616800000000')).toThrow(BarredDestinationError);
    expect(() => call('8616800000000')).toThrow(/barred destination premium/);
    const barredSms = {
      ...WORLD,
      sms: { pricePerMessage: 10, destinations: [{ prefix: '86168', name: 'premium', barred: true }] },
    };
    expect(() => rateByTariff(barredSms, { kind: 'sms' }, { ...NOON, otherParty: '8616800000000' })).toThrow(
      BarredDestinationError,
    );
  });

  it('leaves the terminating leg at its own price, whoever calls', () => {
    const r = rateByTariff(
      WORLD,
      { kind: 'voice', role: 'terminating' },
      { ...NOON, otherParty: '8616800000000' },
    );
    expect(r.tiers).toEqual([{ bucket: 'money', unitSize: 60, pricePerUnit: 0 }]);
    expect(r.destination).toBeUndefined();
  });

  it('prices an SMS by its destination', () => {
    const sms = (otherParty: string) => rateByTariff(WORLD, { kind: 'sms' }, { ...NOON, otherParty }).tiers;
    expect(sms('12125550100')).toEqual([{ bucket: 'money', unitSize: 1, pricePerUnit: 50 }]);
    expect(sms('8613900000001')).toEqual([{ bucket: 'money', unitSize: 1, pricePerUnit: 10 }]);
  });
});

describe('data by APN and roaming zone', () => {
  const data = (ratingGroup: number, access: { apn?: string; sgsnMccMnc?: string }) =>
    rateByTariff(WORLD, { kind: 'data', ratingGroup }, { ...NOON, ...access });

  it('prices a rating group by the APN, whatever its case and operator identifier', () => {
    expect(data(10, { apn: 'ims' }).tiers[0]?.pricePerUnit).toBe(0);
    expect(data(10, { apn: 'IMS.mnc000.mcc460.gprs' })).toMatchObject({
      tiers: [{ pricePerUnit: 0 }],
      level: 'pps:pps-world:rg10:apn-ims',
    });
    expect(data(10, { apn: 'internet' }).tiers[0]?.pricePerUnit).toBe(30);
  });

  it('prices by the roaming zone of the serving network, MCC and MNC before MCC alone', () => {
    expect(data(10, { sgsnMccMnc: '310410' })).toMatchObject({
      tiers: [{ pricePerUnit: 300 }],
      level: 'pps:pps-world:rg10:roaming-usa',
    });
    expect(data(10, { sgsnMccMnc: '310260', apn: 'ims' }).tiers[0]?.pricePerUnit).toBe(200);
    expect(data(10, { sgsnMccMnc: '46000' }).tiers[0]?.pricePerUnit).toBe(30);
  });

  it('leaves a rating group a zone does not price to the home price', () => {
    expect(data(20, { sgsnMccMnc: '310410' }).tiers).toEqual([
      { bucket: 'money', unitSize: 1024, pricePerUnit: 1 },
    ]);
  });
});
