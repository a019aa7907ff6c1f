/**
 * An IMS voice call on Ro end to end (TS 32.299 §6.3, RFC 4006 §5): CCR-I/U/T with CC-Time,
 * every AVP of every CCA and the account after every step (std: 0.15 per started minute for
 * the originating leg, terminating leg free), then the end of credit: the last affordable
 * grant with Final-Unit-Indication, and 4012.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  ccaHead,
  imsInformation,
  mscc,
  seconds,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({
    settings: { voice: { defaultQuota: 300, maxQuota: 3600, validityTime: 900, quotaThreshold: 10 } },
  });
});
afterAll(() => ocs.close());

/** The MSCC of a voice grant with the settings above. */
function granted(rg: number, time: number, extra: [string, unknown][] = []): [string, unknown] {
  return [
    'Multiple-Services-Credit-Control',
    [
      ['Granted-Service-Unit', [['CC-Time', time]]],
      ['Rating-Group', rg],
      ['Validity-Time', 900],
      ['Result-Code', 2001],
      ...extra,
      ['Time-Quota-Threshold', 10],
    ],
  ];
}

const TERMINATE: [string, unknown] = ['Final-Unit-Indication', [['Final-Unit-Action', 0]]];

describe('a voice call: CCR-I, CCR-U, CCR-T with CC-Time', () => {
  it('answers every request AVP by AVP, charges started minutes and writes the CDR', async () => {
    const caller = await ocs.account({ balance: 500 });
    const callee = await ocs.account({ balance: 500 });
    const ims = imsInformation(`tel:+${caller}`, `tel:+${callee}`, 0);
    const s = new CcSession(ocs, CONTEXT.voice, caller, [ims]);
    const startedAt = ocs.clock.ms;
    const total = async () => {
      const b = await ocs.balance(caller);
      expect(b.available + b.reserved + b.spent).toBe(500);
      return b;
    };

    const i = await s.initial([mscc(100, { rsu: [seconds(120)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      granted(100, 120),
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await total()).toEqual({ available: 470, reserved: 30, spent: 0 });

    ocs.clock.advance(90);
    const u = await s.update([mscc(100, { rsu: [seconds(120)], usu: [[seconds(90)]] })]);
    expect(shape(u)).toEqual([...ccaHead(s.id, 2001, 'update', 1), granted(100, 120)]);
    expect(await total()).toEqual({ available: 440, reserved: 30, spent: 30 });

    ocs.clock.advance(45);
    const t = await s.terminate([mscc(100, { usu: [[seconds(45)]] })]);
    expect(shape(t)).toEqual(ccaHead(s.id, 2001, 'termination', 2));
    expect(await total()).toEqual({ available: 455, reserved: 0, spent: 45 });
    expect(await ocs.balance(callee)).toEqual({ available: 500, reserved: 0, spent: 0 });

    expect(await ocs.cdrs(caller)).toEqual([
      {
        id: expect.any(String),
        sessionId: s.id,
        msisdn: caller,
        service: 'voice',
        callingParty: caller,
        calledParty: callee,
        role: 'originating',
        used: { '100': 135 },
        amounts: { money: 45 },
        levels: ['pps:std:voice-mo'],
        startedAt,
        endedAt: startedAt + 135_000,
        resultCode: 2001,
        reason: 'termination',
      },
    ]);
  });

  it('grants and charges at command level when the requests carry no MSCC', async () => {
    const caller = await ocs.account({ balance: 130 });
    const s = new CcSession(ocs, CONTEXT.voice, caller, [
      imsInformation(`tel:+${caller}`, 'tel:+861065000000'),
    ]);
    const i = await s.initial([['Requested-Service-Unit', [seconds(61)]]]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      ['Granted-Service-Unit', [['CC-Time', 120]]],
      ['Credit-Control-Failure-Handling', 0],
      ['Validity-Time', 900],
    ]);
    expect(await ocs.balance(caller)).toEqual({ available: 100, reserved: 30, spent: 0 });

    const u = await s.update([
      ['Requested-Service-Unit', []],
      ['Used-Service-Unit', [seconds(120)]],
    ]);
    expect(shape(u)).toEqual([
      ...ccaHead(s.id, 2001, 'update', 1),
      ['Granted-Service-Unit', [['CC-Time', 300]]],
      ['Validity-Time', 900],
    ]);
    expect(await ocs.balance(caller)).toEqual({ available: 25, reserved: 75, spent: 30 });

    const t = await s.terminate([['Used-Service-Unit', [seconds(1)]]]);
    expect(shape(t)).toEqual(ccaHead(s.id, 2001, 'termination', 2));
    expect(await ocs.balance(caller)).toEqual({ available: 85, reserved: 0, spent: 45 });
    const [cdr] = await ocs.cdrs(caller);
    expect(cdr).toMatchObject({ used: { '0': 121 }, amounts: { money: 45 }, reason: 'termination' });
  });

  it('rates the terminating leg by the terminating price (free here)', async () => {
    const callee = await ocs.account({ balance: 0 });
    const s = new CcSession(ocs, CONTEXT.voice, callee, [
      imsInformation('tel:+8613700000001', `tel:+${callee}`, 1),
    ]);
    const i = await s.initial([mscc(100, { rsu: [seconds(600)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      granted(100, 600),
      ['Credit-Control-Failure-Handling', 0],
    ]);
    await s.terminate([mscc(100, { usu: [[seconds(599)]] })]);
    expect(await ocs.balance(callee)).toEqual({ available: 0, reserved: 0, spent: 0 });
    const [cdr] = await ocs.cdrs(callee);
    expect(cdr).toMatchObject({
      role: 'terminating',
      callingParty: '8613700000001',
      levels: ['pps:std:voice-mt'],
      used: { '100': 599 },
      amounts: {},
    });
  });
});

describe('the end of credit', () => {
  it('marks the last affordable grant final (TERMINATE), then answers the next request 4012', async () => {
    // 0.40: two minutes and 0.10 over; the 0.10 never buys a third.
    const msisdn = await ocs.account({ balance: 40 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn, [
      imsInformation(`tel:+${msisdn}`, 'tel:+861065000000'),
    ]);
    const i = await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      granted(100, 60),
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 25, reserved: 15, spent: 0 });

    const u1 = await s.update([mscc(100, { rsu: [seconds(300)], usu: [[seconds(60)]] })]);
    expect(shape(u1)).toEqual([...ccaHead(s.id, 2001, 'update', 1), granted(100, 60, [TERMINATE])]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 15, spent: 15 });

    const u2 = await s.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
    expect(shape(u2)).toEqual([
      ...ccaHead(s.id, 4012, 'update', 2),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 100],
          ['Result-Code', 4012],
        ],
      ],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 0, spent: 30 });

    const t = await s.terminate([mscc(100, { usu: [[seconds(0)]] })]);
    expect(shape(t)).toEqual(ccaHead(s.id, 2001, 'termination', 3));
    expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 0, spent: 30 });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({ used: { '100': 120 }, amounts: { money: 30 }, reason: 'termination' });
  });

  it('puts Final-Unit-Indication at command level for single-service credit control', async () => {
    const msisdn = await ocs.account({ balance: 20 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    const i = await s.initial([['Requested-Service-Unit', [seconds(300)]]]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      ['Granted-Service-Unit', [['CC-Time', 60]]],
      TERMINATE,
      ['Credit-Control-Failure-Handling', 0],
      ['Validity-Time', 900],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 5, reserved: 15, spent: 0 });
    await s.terminate([['Used-Service-Unit', [seconds(60)]]]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 5, reserved: 0, spent: 15 });
  });

  it('answers a CCR-I that cannot buy one unit 4012, without Final-Unit-Indication, and reserves nothing', async () => {
    const msisdn = await ocs.account({ balance: 14 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    const i = await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 4012, 'initial', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 100],
          ['Result-Code', 4012],
        ],
      ],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 14, reserved: 0, spent: 0 });
    // The refused session is closed: its CCR-T finds none.
    const t = await s.terminate([mscc(100, { usu: [[seconds(0)]] })]);
    expect(t.get('Result-Code')).toBe(5002);
    expect(await ocs.cdrs(msisdn)).toEqual([]);
  });

  it('answers 4012 when the balance is below the minimum threshold, and never grants into it', async () => {
    const below = await ocs.account({ balance: 99, minThreshold: 100 });
    const refused = await new CcSession(ocs, CONTEXT.voice, below).initial([
      mscc(100, { rsu: [seconds(60)] }),
    ]);
    expect(shape(refused)).toEqual([
      ...ccaHead(refused.get('Session-Id') as string, 4012, 'initial', 0),
      ['Error-Message', expect.any(String)],
    ]);

    const above = await ocs.account({ balance: 130, minThreshold: 100 });
    const s = new CcSession(ocs, CONTEXT.voice, above);
    const i = await s.initial([mscc(100, { rsu: [seconds(300)] })]);
    expect(shape(i)).toContainEqual(granted(100, 120, [TERMINATE]));
    expect(await ocs.balance(above)).toEqual({ available: 100, reserved: 30, spent: 0 });
    await s.terminate([mscc(100, { usu: [[seconds(100)]] })]);
    expect(await ocs.balance(above)).toEqual({ available: 100, reserved: 0, spent: 30 });
  });
});
