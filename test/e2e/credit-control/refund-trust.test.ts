/**
 * No request from a peer creates money unless that peer may, and within a bound (DESIGN §2:
 * the sum available + reserved + spent changes only by top-ups and refunds): REFUND_ACCOUNT
 * (RFC 4006 §6.4) is refused 4010 to a peer the charging settings do not name, and above
 * `refunds.maxPerRequest`; a negative CC-Money is refused 5004. None of them credits anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvpEntry } from '../../../src/diameter/avp-tree.js';
import { TEST_PEER_HOST, TestPeer } from '../../support/diameter-peer.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  ccaHead,
  messages,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
let stranger: TestPeer;

beforeAll(async () => {
  ocs = await startOcs({ settings: { refunds: { peers: [TEST_PEER_HOST], maxPerRequest: 100 } } });
  stranger = new TestPeer(ocs.server.diameterPort);
  stranger.originHost = 'pgw.elsewhere.example';
  await stranger.open();
});
afterAll(async () => {
  await stranger.close();
  await ocs.close();
});

function money(valueDigits: number, exponent = -2): AvpEntry {
  return [
    'CC-Money',
    [
      [
        'Unit-Value',
        [
          ['Value-Digits', valueDigits],
          ['Exponent', exponent],
        ],
      ],
      ['Currency-Code', 156],
    ],
  ];
}

function refund(msisdn: string, units: AvpEntry, via?: TestPeer) {
  const s = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.refundAccount]], via);
  return { s, answer: s.next('event', [['Requested-Service-Unit', [units]]]) };
}

describe('REFUND_ACCOUNT from a peer', () => {
  it('is refused 4010 to a peer the settings do not name, crediting nothing', async () => {
    const msisdn = await ocs.account({ balance: 0 });
    const { s, answer } = refund(msisdn, money(1_000_000, 0), stranger);
    expect(shape(await answer)).toEqual([
      ...ccaHead(s.id, 4010, 'event', 0),
      ['Error-Message', 'peer pgw.elsewhere.example may not refund'],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 0, reserved: 0, spent: 0 });
    // The refused attempt is on record, with nothing credited.
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({ action: 'refund-account', resultCode: 4010 });
    expect(cdr?.amounts).toEqual({});
  });

  it('is refused 4010 above the most one request may credit, crediting nothing', async () => {
    const msisdn = await ocs.account({ balance: 0 });
    const tooMuch = refund(msisdn, money(101));
    expect(shape(await tooMuch.answer)).toEqual([
      ...ccaHead(tooMuch.s.id, 4010, 'event', 0),
      ['Error-Message', 'a refund of 101 is above the most one request may credit, 100'],
    ]);
    // Units priced above the bound too: 11 messages at 10.
    const units = refund(msisdn, messages(11));
    expect((await units.answer).get('Result-Code')).toBe(4010);
    expect(await ocs.balance(msisdn)).toEqual({ available: 0, reserved: 0, spent: 0 });

    const allowed = refund(msisdn, money(100));
    expect((await allowed.answer).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 100, reserved: 0, spent: 0 });
  });

  it('refuses a negative CC-Money 5004, crediting and debiting nothing', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const { s, answer } = refund(msisdn, money(-300));
    expect(shape(await answer)).toEqual([
      ...ccaHead(s.id, 5004, 'event', 0),
      ['Error-Message', 'CC-Money is negative'],
      ['Failed-AVP', [['Requested-Service-Unit', [money(-300)]]]],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 500, reserved: 0, spent: 0 });
  });
});
