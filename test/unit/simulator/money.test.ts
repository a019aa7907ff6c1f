/**
 * What the simulator expects to be charged: the tariff's price for every accepted report, and
 * for VPN package members bounds instead of a price for the calls their package may price.
 */
import { describe, expect, it } from 'vitest';
import type { TariffDocument } from '../../../src/catalog/schema.js';
import type { Tier } from '../../../src/rating/types.js';
import { ExpectedMoney } from '../../../src/simulator/money.js';
import { PackageCallers, mostCharged } from '../../../src/simulator/package-calls.js';

const tariff: TariffDocument = {
  id: 't',
  currency: 'CNY',
  voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
  sms: { pricePerMessage: 10 },
};

// Free seconds, then free money at 5 a minute, then 7 a minute of money (DESIGN §6 levels).
const TIERS: Tier[] = [
  { bucket: 'vpn:p:L0', unitSize: 60, pricePerUnit: 60 },
  { bucket: 'vpn:p:L1', unitSize: 60, pricePerUnit: 5 },
  { bucket: 'money', unitSize: 60, pricePerUnit: 7 },
];

const MEMBER = '8613800000001';
const PEER = '8613800000002';
const OUTSIDER = '8613900000001';
const packages = PackageCallers.of([[MEMBER, { peers: new Set([MEMBER, PEER]), tiers: TIERS }]]);

describe('mostCharged', () => {
  it('bounds a report by every tier of the buckets asked, a started unit in full', () => {
    expect(mostCharged(TIERS, 90, true)).toBe(14);
    expect(mostCharged(TIERS, 90, false)).toBe(120 + 10);
    expect(mostCharged(TIERS, 0, true)).toBe(0);
  });
});

describe('PackageCallers.tiers', () => {
  it('gives the package tiers for a call inside the group, or dialled in a form the server resolves', () => {
    expect(packages.tiers(MEMBER, `tel:+${PEER}`)).toBe(TIERS);
    expect(packages.tiers(MEMBER, `sip:+${PEER}@ims.example;user=phone`)).toBe(TIERS);
    expect(packages.tiers(MEMBER, 'tel:6002')).toBe(TIERS);
    expect(packages.tiers(MEMBER, 'tel:013800000002')).toBe(TIERS);
  });

  it('gives nothing for a call the tariff certainly prices', () => {
    expect(packages.tiers(MEMBER, `tel:+${OUTSIDER}`)).toBeUndefined();
    expect(packages.tiers(MEMBER, 'sip:alice@ims.example')).toBeUndefined();
    expect(packages.tiers(OUTSIDER, 'tel:6002')).toBeUndefined();
    expect(packages.tiers(OUTSIDER, `tel:+${MEMBER}`)).toBeUndefined();
    expect(PackageCallers.NONE.tiers(MEMBER, 'tel:6002')).toBeUndefined();
  });
});

describe('ExpectedMoney', () => {
  it('prices every report by the tariff, VPN calls apart', () => {
    const money = new ExpectedMoney(tariff);
    money.add(OUTSIDER, 'voice', 100, 90, { called: `tel:+${MEMBER}`, vpn: false });
    money.add(OUTSIDER, 'voice', 100, 60, { called: 'tel:6001', vpn: true });
    money.add(OUTSIDER, 'sms', 0, 2);
    expect([money.total, money.vpn, money.reports]).toEqual([50, 15, 3]);
    expect(money.members).toEqual({
      exact: 0,
      reports: 0,
      seconds: 0,
      tariffPrice: 0,
      moneyMax: 0,
      freeMax: 0,
    });
  });

  it("keeps a member's usage apart: the tariff's part exactly, the package's part as bounds", () => {
    const money = new ExpectedMoney(tariff, packages);
    money.add(MEMBER, 'voice', 100, 90, { called: `tel:+${OUTSIDER}`, vpn: false }); // tariff: 30
    money.add(MEMBER, 'sms', 0, 1); // tariff: 10
    money.add(MEMBER, 'voice', 100, 90, { called: 'tel:6002', vpn: true }); // package
    money.add(MEMBER, 'voice', 100, 30, { called: `tel:+${PEER}`, vpn: false }); // package
    money.add(OUTSIDER, 'voice', 100, 60, { called: 'tel:6002', vpn: true }); // not a member: tariff
    expect([money.total, money.vpn]).toEqual([30 + 10 + 15, 30 + 15]);
    expect(money.members).toEqual({
      exact: 40,
      reports: 2,
      seconds: 120,
      tariffPrice: 30 + 15,
      // The most in money: the tariff's price (activation not active) or the payment level's.
      moneyMax: Math.max(30, 14) + Math.max(15, 7),
      freeMax: 130 + 65,
    });
  });
});

describe('ExpectedMoney by destination, APN and time band', () => {
  const world: TariffDocument = {
    id: 'w',
    currency: 'CNY',
    timeZone: 'Asia/Shanghai',
    voice: {
      unitSeconds: 60,
      pricePerUnit: 15,
      terminatingPricePerUnit: 0,
      destinations: [
        { prefix: '8610', name: 'beijing', pricePerUnit: 10 },
        { prefix: '1', name: 'nanp', pricePerUnit: 120, unitSeconds: 6 },
        { prefix: '86168', name: 'premium', barred: true },
      ],
    },
    data: {
      ratingGroups: { '10': { unitOctets: 1024, pricePerUnit: 3 } },
      apns: { ims: { '10': { unitOctets: 1024, pricePerUnit: 0 } } },
      roaming: [
        { mccMnc: '310', name: 'usa', ratingGroups: { '10': { unitOctets: 1024, pricePerUnit: 30 } } },
      ],
    },
    timeBands: [{ name: 'night', from: '23:00', to: '07:00', percent: 50 }],
  };
  const noon = Date.parse('2026-12-07T12:00:00+08:00');
  const night = Date.parse('2026-12-07T23:30:00+08:00');
  const m = new ExpectedMoney(world);

  it('prices a call by the destination of its called number and the band when its grant was made', () => {
    expect(m.cost('voice', 100, 90, { called: 'tel:+861062345678', atMs: noon })).toBe(20);
    expect(m.cost('voice', 100, 90, { called: 'tel:+861062345678', atMs: night })).toBe(10);
    expect(m.cost('voice', 100, 61, { called: 'tel:+12125550100', atMs: noon })).toBe(11 * 120);
    expect(m.cost('voice', 100, 60, { called: 'tel:+447700900000', atMs: noon })).toBe(15);
    expect(m.cost('voice', 100, 60, { called: 'tel:+8616800000000', atMs: noon })).toBe(0);
  });

  it('prices data by its roaming zone and APN', () => {
    expect(m.cost('data', 10, 2048, { apn: 'ims', atMs: noon })).toBe(0);
    expect(m.cost('data', 10, 2048, { apn: 'internet', atMs: noon })).toBe(6);
    expect(m.cost('data', 10, 2048, { atMs: night })).toBe(4);
    expect(m.cost('data', 10, 2048, { apn: 'ims', sgsnMccMnc: '310410', atMs: noon })).toBe(60);
  });
});
