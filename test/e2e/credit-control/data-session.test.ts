/**
 * A Gy data session end to end over loopback (RFC 4006 §5, TS 32.299 §6.3): CCR-I, two CCR-U
 * and CCR-T on two rating groups, every AVP of every CCA and the account after every step;
 * then the MSCC rules one at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  REPORTING_REASON,
  ccaHead,
  mscc,
  msccResults,
  messages,
  octets,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

const SETTINGS = {
  data: {
    defaultQuota: MiB,
    maxQuota: 8 * MiB,
    validityTime: 1800,
    quotaHoldingTime: 120,
    quotaThreshold: 102_400,
  },
  sms: { defaultQuota: 1, maxQuota: 5, validityTime: 300, quotaThreshold: 1 },
};

/** The MSCC of a data grant with the settings above. */
function granted(rg: number, units: number, extra: [string, unknown][] = []): [string, unknown] {
  return [
    'Multiple-Services-Credit-Control',
    [
      ['Granted-Service-Unit', [['CC-Total-Octets', units]]],
      ['Rating-Group', rg],
      ['Validity-Time', 1800],
      ['Result-Code', 2001],
      ...extra,
      ['Volume-Quota-Threshold', 102_400],
      ['Quota-Holding-Time', 120],
    ],
  ];
}

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({ settings: SETTINGS });
});
afterAll(() => ocs.close());

describe('a data session on two rating groups: CCR-I, two CCR-U, CCR-T', () => {
  it('answers every request AVP by AVP and moves the money exactly', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const startedAt = ocs.clock.ms;
    const total = async () => {
      const b = await ocs.balance(msisdn);
      expect(b.available + b.reserved + b.spent).toBe(10_000);
      return b;
    };

    // CCR-I: RG 10 asks 2 MiB (0.30 per started MiB), RG 20 asks 1 MiB (0.10 per started MiB).
    const i = await s.initial([
      ['Multiple-Services-Indicator', 1],
      mscc(10, { rsu: [octets(2 * MiB)] }),
      mscc(20, { rsu: [octets(MiB)] }),
    ]);
    expect(i.errorBit).toBe(false);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      granted(10, 2 * MiB),
      granted(20, MiB),
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await total()).toEqual({ available: 9930, reserved: 70, spent: 0 });

    // CCR-U 1: RG 10 used 1.5 MiB of 2 (2 started MiB: 60), RG 20 used its 1 MiB (10); both ask again.
    ocs.clock.advance(60);
    const u1 = await s.update([
      mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(1.5 * MiB)]] }),
      mscc(20, { rsu: [octets(MiB)], usu: [[octets(MiB)]] }),
    ]);
    expect(shape(u1)).toEqual([...ccaHead(s.id, 2001, 'update', 1), granted(10, 2 * MiB), granted(20, MiB)]);
    expect(await total()).toEqual({ available: 9860, reserved: 70, spent: 70 });

    // CCR-U 2: RG 10 reports two Used-Service-Units (a tariff change splits 0.75 MiB: one
    // started MiB, 30) and asks with an empty RSU (the default 1 MiB); RG 20 ends (FINAL, no
    // RSU): charged 10, nothing granted.
    ocs.clock.advance(60);
    const u2 = await s.update([
      mscc(10, {
        rsu: [],
        usu: [
          [octets(0.5 * MiB), ['Tariff-Change-Usage', 0]],
          [octets(0.25 * MiB), ['Tariff-Change-Usage', 1]],
        ],
      }),
      mscc(20, { usu: [[octets(0.5 * MiB)]], reportingReason: REPORTING_REASON.final }),
    ]);
    expect(shape(u2)).toEqual([
      ...ccaHead(s.id, 2001, 'update', 2),
      granted(10, MiB),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 20],
          ['Result-Code', 2001],
        ],
      ],
    ]);
    expect(await total()).toEqual({ available: 9860, reserved: 30, spent: 110 });

    // CCR-T: RG 10 used 200000 octets of its MiB: one started MiB, 30.
    ocs.clock.advance(30);
    const t = await s.terminate([mscc(10, { usu: [[octets(200_000)]] })]);
    expect(shape(t)).toEqual(ccaHead(s.id, 2001, 'termination', 3));
    expect(await total()).toEqual({ available: 9860, reserved: 0, spent: 140 });

    const [cdr, ...older] = await ocs.cdrs(msisdn);
    expect(older).toEqual([]);
    expect(cdr).toEqual({
      id: expect.any(String),
      sessionId: s.id,
      msisdn,
      service: 'data',
      used: { '10': 1.5 * MiB + 0.75 * MiB + 200_000, '20': 1.5 * MiB },
      amounts: { money: 140 },
      levels: ['pps:std:rg10', 'pps:std:rg20'],
      startedAt,
      endedAt: startedAt + 150_000,
      resultCode: 2001,
      reason: 'termination',
    });
  });
});

describe('Multiple-Services-Credit-Control rules', () => {
  it('grants at command level when the CCR-I has no MSCC (RFC 4006 §5.1.1), the default quota for no RSU', async () => {
    // Single-service credit control is rated as rating group 0.
    await ocs.provision(`
tariffs:
  - id: flat
    currency: CNY
    data: { ratingGroups: { '0': { unitOctets: ${MiB}, pricePerUnit: 20 } } }
`);
    const flat = await ocs.account({ tariff: 'flat', balance: 1000 });
    const one = new CcSession(ocs, CONTEXT.data, flat);
    const answer = await one.initial();
    expect(shape(answer)).toEqual([
      ...ccaHead(one.id, 2001, 'initial', 0),
      ['Granted-Service-Unit', [['CC-Total-Octets', MiB]]],
      ['Credit-Control-Failure-Handling', 0],
      ['Validity-Time', 1800],
    ]);
    expect(await ocs.balance(flat)).toEqual({ available: 980, reserved: 20, spent: 0 });

    const u = await one.update([
      ['Requested-Service-Unit', [octets(3 * MiB)]],
      ['Used-Service-Unit', [octets(MiB)]],
    ]);
    expect(shape(u)).toEqual([
      ...ccaHead(one.id, 2001, 'update', 1),
      ['Granted-Service-Unit', [['CC-Total-Octets', 3 * MiB]]],
      ['Validity-Time', 1800],
    ]);
    expect(await ocs.balance(flat)).toEqual({ available: 920, reserved: 60, spent: 20 });

    const t = await one.terminate([['Used-Service-Unit', [octets(2 * MiB + 1)]]]);
    expect(t.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(flat)).toEqual({ available: 920, reserved: 0, spent: 80 });
  });

  it('grants each MSCC of a CCR-I without Requested-Service-Unit the default quota', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const i = await s.initial([mscc(10), mscc(20, { rsu: [] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      granted(10, MiB),
      granted(20, MiB),
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9960, reserved: 40, spent: 0 });
    await s.terminate([mscc(10, { usu: [[octets(0)]] }), mscc(20, { usu: [[octets(0)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });

  it('caps a grant at the configured maximum', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const i = await s.initial([mscc(10, { rsu: [octets(100 * MiB)] })]);
    expect(shape(i)).toContainEqual(granted(10, 8 * MiB));
    expect(await ocs.balance(msisdn)).toEqual({ available: 9760, reserved: 240, spent: 0 });
    await s.terminate([mscc(10, { usu: [[octets(8 * MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9760, reserved: 0, spent: 240 });
  });

  it('gives every MSCC its own Result-Code: an unpriced rating group fails alone (5031)', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const i = await s.initial([mscc(10, { rsu: [octets(MiB)] }), mscc(99, { rsu: [octets(MiB)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      granted(10, MiB),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 99],
          ['Result-Code', 5031],
        ],
      ],
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 30, spent: 0 });

    // Later requests go on: RG 99 still fails alone, RG 10 is charged and granted again.
    const u = await s.update([
      mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] }),
      mscc(99, { rsu: [octets(MiB)] }),
    ]);
    expect(msccResults(u)).toEqual([2001, 5031]);
    expect(u.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9940, reserved: 30, spent: 30 });
    await s.terminate([mscc(10, { usu: [[octets(1)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9940, reserved: 0, spent: 60 });
  });

  it('answers 5031 at command level when no MSCC can be rated', async () => {
    const msisdn = await ocs.account({ tariff: 'voice-only' });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const i = await s.initial([mscc(10, { rsu: [octets(MiB)] }), mscc(20, { rsu: [octets(MiB)] })]);
    expect(i.get('Result-Code')).toBe(5031);
    expect(msccResults(i)).toEqual([5031, 5031]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });

  it('charges each rating group of a CCR-U with several MSCCs and several USUs, and adds a new rating group', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(3 * MiB)] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 90, spent: 0 });

    // RG 10: three USUs of 1 MiB + 1 octet in all (two started MiB); RG 20 starts in this CCR-U.
    const u = await s.update([
      mscc(10, {
        rsu: [octets(MiB)],
        usu: [[octets(0.5 * MiB)], [octets(0.5 * MiB)], [octets(1)]],
        reportingReason: REPORTING_REASON.threshold,
      }),
      mscc(20, { rsu: [octets(2 * MiB)] }),
    ]);
    expect(shape(u)).toEqual([...ccaHead(s.id, 2001, 'update', 1), granted(10, MiB), granted(20, 2 * MiB)]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 890, reserved: 50, spent: 60 });

    // QUOTA_EXHAUSTED without RSU: charged, no new grant, reservation returned.
    const u2 = await s.update([
      mscc(10, { usu: [[octets(MiB)]], reportingReason: REPORTING_REASON.quotaExhausted }),
    ]);
    expect(shape(u2)).toEqual([
      ...ccaHead(s.id, 2001, 'update', 2),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 10],
          ['Result-Code', 2001],
        ],
      ],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 890, reserved: 20, spent: 90 });

    await s.terminate([mscc(20, { usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 900, reserved: 0, spent: 100 });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({ used: { '10': 2 * MiB + 1, '20': MiB }, amounts: { money: 100 } });
  });

  it('gives MSCCs of one rating group one shared quota and charges all their usage', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const i = await s.initial([
      mscc(10, { rsu: [octets(MiB)], serviceIdentifier: 1 }),
      mscc(10, { rsu: [octets(MiB)], serviceIdentifier: 2 }),
    ]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Granted-Service-Unit', [['CC-Total-Octets', 2 * MiB]]],
          ['Service-Identifier', 1],
          ['Service-Identifier', 2],
          ['Rating-Group', 10],
          ['Validity-Time', 1800],
          ['Result-Code', 2001],
          ['Volume-Quota-Threshold', 102_400],
          ['Quota-Holding-Time', 120],
        ],
      ],
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 60, spent: 0 });

    const u = await s.update([
      mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]], serviceIdentifier: 1 }),
      mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]], serviceIdentifier: 2 }),
    ]);
    expect(u.all('Multiple-Services-Credit-Control')).toHaveLength(1);
    expect(await ocs.balance(msisdn)).toEqual({ available: 880, reserved: 60, spent: 60 });

    await s.terminate([
      mscc(10, { usu: [[octets(0.5 * MiB)]], serviceIdentifier: 1 }),
      mscc(10, { usu: [[octets(0.5 * MiB)]], serviceIdentifier: 2 }),
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 0, spent: 90 });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({ used: { '10': 3 * MiB }, amounts: { money: 90 } });
  });

  it('reads CC-Input-Octets plus CC-Output-Octets as the volume used', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(3 * MiB)] })]);
    await s.terminate([
      mscc(10, {
        usu: [
          [
            ['CC-Input-Octets', MiB],
            ['CC-Output-Octets', MiB + 1],
          ],
        ],
      }),
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 0, spent: 90 });
  });
});

describe('unit quota: SMS charged as a session (TS 32.299 ECUR)', () => {
  it('reserves messages at CCR-I, charges those sent at CCR-T, with Unit-Quota-Threshold', async () => {
    const msisdn = await ocs.account({ balance: 100 });
    const s = new CcSession(ocs, CONTEXT.sms, msisdn);
    const i = await s.initial([mscc(300, { rsu: [messages(9)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Granted-Service-Unit', [['CC-Service-Specific-Units', 5]]],
          ['Rating-Group', 300],
          ['Validity-Time', 300],
          ['Result-Code', 2001],
          ['Unit-Quota-Threshold', 1],
        ],
      ],
      ['Credit-Control-Failure-Handling', 0],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 50, reserved: 50, spent: 0 });
    const t = await s.terminate([mscc(300, { usu: [[messages(2)]] })]);
    expect(shape(t)).toEqual(ccaHead(s.id, 2001, 'termination', 1));
    expect(await ocs.balance(msisdn)).toEqual({ available: 80, reserved: 0, spent: 20 });
  });
});
