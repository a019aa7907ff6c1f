/**
 * A refund that names its charge (TS 32.299 §7.2.171 Refund-Information, in the MSCC of
 * §7.1.9): with `refunds.chargeTtlSeconds` the CCA of a direct debit for a peer that may refund
 * carries a reference to what it took, and a REFUND_ACCOUNT that sends it back credits no more
 * than that charge less what was refunded against it. Anything past it, an unknown reference or
 * another account's, is 4010 and credits nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvpEntry } from '../../../src/diameter/avp-tree.js';
import type { ReceivedAnswer } from '../../../src/simulator/client.js';
import { TEST_PEER_HOST, TestPeer } from '../../support/diameter-peer.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  ccaHead,
  messages,
  mscc,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
let stranger: TestPeer;

beforeAll(async () => {
  ocs = await startOcs({
    settings: { refunds: { peers: [TEST_PEER_HOST], chargeTtlSeconds: 30 * 86_400 } },
  });
  stranger = new TestPeer(ocs.server.diameterPort);
  stranger.originHost = 'pgw.elsewhere.example';
  await stranger.open();
});
afterAll(async () => {
  await stranger.close();
  await ocs.close();
});

function money(valueDigits: number): AvpEntry {
  return [
    'CC-Money',
    [
      [
        'Unit-Value',
        [
          ['Value-Digits', valueDigits],
          ['Exponent', -2],
        ],
      ],
      ['Currency-Code', 156],
    ],
  ];
}

/** Five messages at 0.10, debited in an MSCC of rating group 200: a charge of 50. */
async function debit(msisdn: string, via?: TestPeer): Promise<{ s: CcSession; answer: ReceivedAnswer }> {
  const s = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.directDebiting]], via);
  const answer = await s.next('event', [mscc(200, { rsu: [messages(5)] })]);
  return { s, answer };
}

/** The Refund-Information of the answer's first MSCC. */
function referenceIn(answer: ReceivedAnswer): Buffer | undefined {
  const members = shape(answer).find(([name]) => name === 'Multiple-Services-Credit-Control')?.[1] as
    [string, unknown][] | undefined;
  return members?.find(([name]) => name === 'Refund-Information')?.[1] as Buffer | undefined;
}

/** REFUND_ACCOUNT of `minor` fen, naming `reference` at command level. */
function refund(msisdn: string, minor: number, reference: Buffer): Promise<ReceivedAnswer> {
  const s = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.refundAccount]]);
  return s.next('event', [
    ['Requested-Service-Unit', [money(minor)]],
    ['Refund-Information', reference],
  ]);
}

describe('a direct debit for a peer that may refund', () => {
  it('carries Refund-Information in its MSCC, and again in the answer to a retransmission', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const { s, answer } = await debit(msisdn);
    const reference = referenceIn(answer);
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 2001, 'event', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Granted-Service-Unit', [['CC-Service-Specific-Units', 5]]],
          ['Rating-Group', 200],
          ['Result-Code', 2001],
          ['Refund-Information', expect.any(Buffer)],
        ],
      ],
      expect.arrayContaining(['Cost-Information']),
    ]);
    expect(reference?.toString('latin1')).toMatch(/^[0-9a-f]{32}$/);

    const again = await ocs.send(s.build('event', [mscc(200, { rsu: [messages(5)] })], 0), {
      retransmitted: true,
    });
    expect(referenceIn(again)).toEqual(reference);
    expect(await ocs.balance(msisdn)).toEqual({ available: 450, reserved: 0, spent: 50 });
  });

  it('carries it at command level when the request had no MSCC', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.directDebiting]]);
    const answer = await s.next('event', [['Requested-Service-Unit', [messages(1)]]]);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(answer.get('Refund-Information')).toEqual(expect.any(Buffer));
  });

  it('carries none for a peer that may not refund', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const { answer } = await debit(msisdn, stranger);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(referenceIn(answer)).toBeUndefined();
  });
});

describe('REFUND_ACCOUNT naming a charge', () => {
  it('credits up to the charge, in parts, and 4010 past it, crediting nothing', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const reference = referenceIn((await debit(msisdn)).answer)!;

    expect((await refund(msisdn, 20, reference)).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 470, reserved: 0, spent: 50 });

    const tooMuch = await refund(msisdn, 31, reference);
    expect(tooMuch.get('Result-Code')).toBe(4010);
    expect(tooMuch.get('Error-Message')).toBe('refund above the charge it names: 30 left to refund');
    expect(await ocs.balance(msisdn)).toEqual({ available: 470, reserved: 0, spent: 50 });

    expect((await refund(msisdn, 30, reference)).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 500, reserved: 0, spent: 50 });
    expect((await refund(msisdn, 1, reference)).get('Result-Code')).toBe(4010);
    expect(await ocs.balance(msisdn)).toEqual({ available: 500, reserved: 0, spent: 50 });
  });

  it('takes the reference in the MSCC too, with units priced by the tariff', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const reference = referenceIn((await debit(msisdn)).answer)!;
    const s = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.refundAccount]]);
    const inMscc = (n: number): AvpEntry =>
      [
        'Multiple-Services-Credit-Control',
        [
          ['Requested-Service-Unit', [messages(n)]],
          ['Rating-Group', 200],
          ['Refund-Information', reference],
        ],
      ] as AvpEntry;
    expect((await s.next('event', [inMscc(6)])).get('Result-Code')).toBe(4010);
    expect((await s.next('event', [inMscc(5)])).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 500, reserved: 0, spent: 50 });
  });

  it('answers a retransmission with its first answer, crediting once', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const reference = referenceIn((await debit(msisdn)).answer)!;
    const s = new CcSession(ocs, CONTEXT.sms, msisdn, [['Requested-Action', ACTION.refundAccount]]);
    const message = s.build('event', [
      ['Requested-Service-Unit', [money(40)]],
      ['Refund-Information', reference],
    ]);
    expect((await ocs.send(message)).get('Result-Code')).toBe(2001);
    expect((await ocs.send(message, { retransmitted: true })).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 490, reserved: 0, spent: 50 });
  });

  it('is refused 4010 for an unknown reference or another account’s, crediting nothing', async () => {
    const msisdn = await ocs.account({ balance: 0 });
    const other = await ocs.account({ balance: 500 });
    const theirs = referenceIn((await debit(other)).answer)!;

    const foreign = await refund(msisdn, 10, theirs);
    expect(foreign.get('Result-Code')).toBe(4010);
    expect(foreign.get('Error-Message')).toMatch(/^no such charge of the account/);
    const unknown = await refund(msisdn, 10, Buffer.from(randomBytes(16).toString('hex'), 'latin1'));
    expect(unknown.get('Result-Code')).toBe(4010);
    expect((await refund(msisdn, 10, Buffer.from([0xff, 0x7b]))).get('Result-Code')).toBe(4010);
    expect(await ocs.balance(msisdn)).toEqual({ available: 0, reserved: 0, spent: 0 });
    expect(await ocs.balance(other)).toEqual({ available: 450, reserved: 0, spent: 50 });
    // The refused attempts are on record, with nothing credited.
    const cdrs = await ocs.cdrs(msisdn);
    expect(cdrs.map((c) => [c.resultCode, c.amounts])).toEqual([
      [4010, {}],
      [4010, {}],
      [4010, {}],
    ]);
  });
});
