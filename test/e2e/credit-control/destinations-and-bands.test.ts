/**
 * Rating an operator can sell, end to end over Diameter with a real Redis (DESIGN §3): calls
 * priced by destination (national, Beijing, NANP with its 6-second unit), a barred premium
 * number refused with nothing frozen, a call across the night band's start answered with
 * Tariff-Time-Change and charged by Tariff-Change-Usage (RFC 4006 §8.20, §8.27), PRICE_ENQUIRY
 * for a destination at the time asked, and data priced by APN and roaming zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvpEntry } from '../../../src/diameter/avp-tree.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  MiB,
  imsInformation,
  mscc,
  octets,
  seconds,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { member, type ReceivedAnswer } from '../../support/diameter-peer.js';

const WORLD_YAML = `
tariffs:
  - id: pps-world
    currency: CNY
    timeZone: Asia/Shanghai
    voice:
      unitSeconds: 60
      pricePerUnit: 15
      terminatingPricePerUnit: 0
      destinations:
        - { prefix: "86", name: national, pricePerUnit: 15 }
        - { prefix: "8610", name: beijing, pricePerUnit: 10 }
        - { prefix: "1", name: nanp, pricePerUnit: 120, unitSeconds: 6 }
        - { prefix: "86168", name: premium, barred: true }
    sms: { pricePerMessage: 10 }
    data:
      ratingGroups: { "10": { unitOctets: ${MiB}, pricePerUnit: 30 } }
      apns:
        ims: { "10": { unitOctets: ${MiB}, pricePerUnit: 0 } }
      roaming:
        - { mccMnc: "310", name: usa, ratingGroups: { "10": { unitOctets: ${MiB}, pricePerUnit: 300 } } }
    timeBands:
      - { name: night, from: "23:00", to: "07:00", percent: 50 }
      - { name: weekend, days: [sat, sun], percent: 70, services: [voice, sms] }
`;

/** A moment as Shanghai's clocks read it (UTC+8). */
const shanghai = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00+08:00`);
const MONDAY = '2026-12-07';
const BALANCE = 10_000;

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({
    startMs: shanghai(MONDAY, '12:00'),
    settings: { voice: { defaultQuota: 300, maxQuota: 3600, validityTime: 3600 } },
  });
  await ocs.provision(WORLD_YAML);
});
afterAll(() => ocs.close());

const account = () => ocs.account({ balance: BALANCE, tariff: 'pps-world' });

/** The money the account has spent, checking that nothing was created or lost. */
async function spent(msisdn: string): Promise<number> {
  const b = await ocs.balance(msisdn);
  expect(b.available + b.reserved + b.spent).toBe(BALANCE);
  return b.spent;
}

/** A call of `secs` seconds from a fresh account to `called`: CCR-I then CCR-T. */
async function call(called: string, secs: number) {
  const caller = await account();
  const s = new CcSession(ocs, CONTEXT.voice, caller, [imsInformation(`tel:+${caller}`, called)]);
  const i = await s.initial([mscc(100, { rsu: [seconds(300)] })]);
  expect(i.get('Result-Code')).toBe(2001);
  const t = await s.terminate([mscc(100, { usu: [[seconds(secs)]] })]);
  expect(t.get('Result-Code')).toBe(2001);
  return { caller, cdr: (await ocs.cdrs(caller))[0] };
}

/** The answer's first MSCC. */
const firstMscc = (answer: ReceivedAnswer) => answer.get('Multiple-Services-Credit-Control');

describe('calls priced by destination', () => {
  it('prices a national, a Beijing and an international call as the tariff says', async () => {
    const national = await call('tel:+8613900000001', 120);
    expect(await spent(national.caller)).toBe(2 * 15);
    expect(national.cdr).toMatchObject({ destination: 'national', amounts: { money: 30 } });

    const beijing = await call('tel:+861062345678', 120);
    expect(await spent(beijing.caller)).toBe(2 * 10);
    expect(beijing.cdr).toMatchObject({ destination: 'beijing', levels: ['pps:pps-world:voice-mo:beijing'] });

    // 61 seconds to New York: eleven started 6-second units at 1.20.
    const nanp = await call('sip:+12125550100@ims.example', 61);
    expect(await spent(nanp.caller)).toBe(11 * 120);
    expect(nanp.cdr).toMatchObject({ destination: 'nanp', calledParty: '12125550100' });
  });

  it('refuses a premium number with 4010 and freezes nothing', async () => {
    const caller = await account();
    const s = new CcSession(ocs, CONTEXT.voice, caller, [
      imsInformation(`tel:+${caller}`, 'tel:+8616800000000'),
    ]);
    const i = await s.initial([mscc(100, { rsu: [seconds(300)] })]);
    expect(i.get('Result-Code')).toBe(4010);
    expect(member(firstMscc(i), 'Result-Code')).toBe(4010);
    expect(member(firstMscc(i), 'Granted-Service-Unit')).toBeUndefined();
    expect(await ocs.balance(caller)).toEqual({ available: BALANCE, reserved: 0, spent: 0 });
    expect(await ocs.redis.hlen(`${ocs.prefix}resv:{${caller}}`)).toBe(0);
  });
});

describe('a call across the start of the night band (RFC 4006 §8.20, §8.27)', () => {
  const tariffChangeUsage = (secs: number, usage: number): AvpEntry[] => [
    seconds(secs),
    ['Tariff-Change-Usage', usage],
  ];

  async function callAt2250() {
    ocs.clock.ms = shanghai(MONDAY, '22:50');
    const caller = await account();
    const s = new CcSession(ocs, CONTEXT.voice, caller, [
      imsInformation(`tel:+${caller}`, 'tel:+8613900000001'),
    ]);
    const i = await s.initial([mscc(100, { rsu: [seconds(1200)] })]);
    return { caller, s, i };
  }

  it('announces the change in the grant, freezes the dearer price and charges each side at its own', async () => {
    const { caller, s, i } = await callAt2250();
    const gsu = member(firstMscc(i), 'Granted-Service-Unit');
    expect(member(gsu, 'Tariff-Time-Change')).toEqual(new Date(shanghai(MONDAY, '23:00')));
    expect(member(gsu, 'CC-Time')).toBe(1200);
    // 20 minutes frozen at the day price of 0.15, the dearer side.
    expect(await ocs.balance(caller)).toEqual({ available: BALANCE - 300, reserved: 300, spent: 0 });

    ocs.clock.advance(900);
    const t = await s.terminate([mscc(100, { usu: [tariffChangeUsage(600, 0), tariffChangeUsage(300, 1)] })]);
    expect(t.get('Result-Code')).toBe(2001);
    // 10 minutes before 23:00 at 0.15, 5 after at the night's 0.08 (0.075 rounded up).
    expect(await spent(caller)).toBe(10 * 15 + 5 * 8);
    expect((await ocs.cdrs(caller))[0]).toMatchObject({
      destination: 'national',
      levels: ['pps:pps-world:voice-mo:national@full>night'],
    });
  });

  it('charges usage reported without the split at the price in force when the grant was made', async () => {
    const { caller, s } = await callAt2250();
    ocs.clock.advance(900);
    await s.terminate([mscc(100, { usu: [[seconds(900)]] })]);
    expect(await spent(caller)).toBe(15 * 15);
  });

  it('grants at the night price after the change, with no change to announce', async () => {
    ocs.clock.ms = shanghai(MONDAY, '23:10');
    const caller = await account();
    const s = new CcSession(ocs, CONTEXT.voice, caller, [
      imsInformation(`tel:+${caller}`, 'tel:+861062345678'),
    ]);
    const i = await s.initial([mscc(100, { rsu: [seconds(600)] })]);
    const gsu = member(firstMscc(i), 'Granted-Service-Unit');
    expect(member(gsu, 'Tariff-Time-Change')).toBeUndefined();
    expect(await ocs.balance(caller)).toMatchObject({ reserved: 10 * 5 });
    await s.terminate([mscc(100, { usu: [[seconds(600)]] })]);
    expect(await spent(caller)).toBe(10 * 5);
  });
});

describe('PRICE_ENQUIRY for a destination and a time', () => {
  async function enquire(called: string, at?: number) {
    const msisdn = await account();
    const avps: AvpEntry[] = [
      ['Requested-Action', ACTION.priceEnquiry],
      ['Requested-Service-Unit', [seconds(120)]],
      imsInformation(`tel:+${msisdn}`, called),
    ];
    if (at !== undefined) avps.unshift(['Event-Timestamp', new Date(at)]);
    const answer = await new CcSession(ocs, CONTEXT.voice, msisdn, avps).next('event');
    expect(await ocs.balance(msisdn)).toEqual({ available: BALANCE, reserved: 0, spent: 0 });
    return answer;
  }
  const costOf = (answer: ReceivedAnswer) =>
    member(member(answer.get('Cost-Information'), 'Unit-Value'), 'Value-Digits');

  it('answers the price of the destination asked, at the Event-Timestamp asked', async () => {
    ocs.clock.ms = shanghai(MONDAY, '12:00');
    expect(costOf(await enquire('tel:+861062345678'))).toBe(2n * 10n);
    expect(costOf(await enquire('tel:+12125550100'))).toBe(20n * 120n);
    const night = await enquire('tel:+861062345678', shanghai(MONDAY, '23:30'));
    expect(costOf(night)).toBe(2n * 5n);
  });

  it('refuses to price a barred destination', async () => {
    expect((await enquire('tel:+8616800000000')).get('Result-Code')).toBe(4010);
  });
});

describe('data by APN and roaming zone', () => {
  const ps = (apn: string, mccMnc?: string): AvpEntry => [
    'Service-Information',
    [
      [
        'PS-Information',
        [['Called-Station-Id', apn], ...(mccMnc ? [['3GPP-SGSN-MCC-MNC', mccMnc] as AvpEntry] : [])],
      ],
    ],
  ];

  async function session(access: AvpEntry, used: number) {
    ocs.clock.ms = shanghai(MONDAY, '12:00');
    const msisdn = await account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn, [access]);
    expect((await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })])).get('Result-Code')).toBe(2001);
    const frozen = (await ocs.balance(msisdn)).reserved;
    await s.terminate([mscc(10, { usu: [[octets(used)]] })]);
    return { frozen, spent: await spent(msisdn), cdr: (await ocs.cdrs(msisdn))[0] };
  }

  it('prices the IMS APN free and the internet APN at the home price', async () => {
    expect(await session(ps('ims'), 3 * MiB)).toMatchObject({ frozen: 0, spent: 0 });
    expect(await session(ps('internet.mnc000.mcc460.gprs'), 3 * MiB)).toMatchObject({
      frozen: 60,
      spent: 90,
    });
  });

  it('prices a session served in the USA at the roaming zone price', async () => {
    const r = await session(ps('internet', '310410'), MiB + 1);
    expect(r).toMatchObject({ frozen: 600, spent: 600 });
    expect(r.cdr).toMatchObject({ levels: ['pps:pps-world:rg10:roaming-usa'] });
  });
});
