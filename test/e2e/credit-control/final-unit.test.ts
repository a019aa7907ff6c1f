/**
 * Final-Unit-Indication by configuration (RFC 4006 §5.6, §8.34): the last affordable grant
 * says what the client does when it is used up: TERMINATE (default, see voice-call.test.ts),
 * REDIRECT to a top-up server, or RESTRICT_ACCESS by filter rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  ccaHead,
  mscc,
  octets,
  shape,
  startOcs,
  type OcsFixture,
  type Shaped,
} from '../../support/ocs-fixture.js';

const DATA = { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 };

/** CCR-I for 5 MiB on RG 10 from an account that can pay one (0.40: one MiB at 0.30). */
async function lastGrant(ocs: OcsFixture): Promise<{ s: CcSession; msisdn: string; answer: Shaped[] }> {
  const msisdn = await ocs.account({ balance: 40 });
  const s = new CcSession(ocs, CONTEXT.data, msisdn);
  const answer = shape(await s.initial([mscc(10, { rsu: [octets(5 * MiB)] })]));
  expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 30, spent: 0 });
  return { s, msisdn, answer };
}

function finalGrant(fui: Shaped): Shaped {
  return [
    'Multiple-Services-Credit-Control',
    [
      ['Granted-Service-Unit', [['CC-Total-Octets', MiB]]],
      ['Rating-Group', 10],
      ['Validity-Time', 600],
      ['Result-Code', 2001],
      fui,
    ],
  ];
}

describe('REDIRECT', () => {
  let ocs: OcsFixture;
  beforeAll(async () => {
    ocs = await startOcs({
      settings: {
        data: DATA,
        finalUnit: { action: 'redirect', redirect: { addressType: 'url', address: 'http://topup.example/' } },
      },
    });
  });
  afterAll(() => ocs.close());

  it('sends Final-Unit-Action REDIRECT with the Redirect-Server', async () => {
    const { s, msisdn, answer } = await lastGrant(ocs);
    expect(answer).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      finalGrant([
        'Final-Unit-Indication',
        [
          ['Final-Unit-Action', 1],
          [
            'Redirect-Server',
            [
              ['Redirect-Address-Type', 2],
              ['Redirect-Server-Address', 'http://topup.example/'],
            ],
          ],
        ],
      ]),
      ['Credit-Control-Failure-Handling', 0],
    ]);
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 0, spent: 30 });
  });

  it('grants without Final-Unit-Indication while more can be paid', async () => {
    const msisdn = await ocs.account({ balance: 61 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    expect(shape(answer)).toContainEqual([
      'Multiple-Services-Credit-Control',
      [
        ['Granted-Service-Unit', [['CC-Total-Octets', MiB]]],
        ['Rating-Group', 10],
        ['Validity-Time', 600],
        ['Result-Code', 2001],
      ],
    ]);
    // The second MiB is the last one the account can pay.
    const u = await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    expect(shape(u)).toContainEqual(
      finalGrant(['Final-Unit-Indication', expect.arrayContaining([['Final-Unit-Action', 1]])]),
    );
    expect(await ocs.balance(msisdn)).toEqual({ available: 1, reserved: 30, spent: 30 });
  });
});

describe('RESTRICT_ACCESS', () => {
  let ocs: OcsFixture;
  beforeAll(async () => {
    ocs = await startOcs({
      settings: {
        data: DATA,
        finalUnit: {
          action: 'restrict-access',
          restrictionFilterRules: ['permit out ip from any to 10.1.1.1', 'permit in ip from 10.1.1.1 to any'],
          filterIds: ['topup-only'],
        },
      },
    });
  });
  afterAll(() => ocs.close());

  it('sends Final-Unit-Action RESTRICT_ACCESS with the Restriction-Filter-Rules and Filter-Id', async () => {
    const { s, answer } = await lastGrant(ocs);
    expect(answer).toEqual([
      ...ccaHead(s.id, 2001, 'initial', 0),
      finalGrant([
        'Final-Unit-Indication',
        [
          ['Final-Unit-Action', 2],
          ['Restriction-Filter-Rule', 'permit out ip from any to 10.1.1.1'],
          ['Restriction-Filter-Rule', 'permit in ip from 10.1.1.1 to any'],
          ['Filter-Id', 'topup-only'],
        ],
      ]),
      ['Credit-Control-Failure-Handling', 0],
    ]);
  });
});
