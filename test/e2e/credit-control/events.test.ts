/**
 * CCR-Event end to end (RFC 4006 §6.3-§6.5, §8.41): each Requested-Action, SMS as an event,
 * refusals, replays, and the account after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvpEntry } from '../../../src/diameter/avp-tree.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  MiB,
  ccaHead,
  messages,
  mscc,
  octets,
  seconds,
  shape,
  startOcs,
  type OcsFixture,
  type Shaped,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

/** Cost-Information of `minor` fen (CNY, ISO 4217 156, two minor digits). */
function cost(minor: number): Shaped {
  return [
    'Cost-Information',
    [
      [
        'Unit-Value',
        [
          ['Value-Digits', minor],
          ['Exponent', -2],
        ],
      ],
      ['Currency-Code', 156],
    ],
  ];
}

function event(context: string, msisdn: string, action: number, avps: AvpEntry[]): CcSession {
  const s = new CcSession(ocs, context, msisdn, [['Requested-Action', action], ...avps]);
  return s;
}

describe('DIRECT_DEBITING', () => {
  it('charges an SMS at once and answers the cost (MSCC)', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const startedAt = ocs.clock.ms;
    const s = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [mscc(200, { rsu: [messages(1)] })]);
    const answer = await s.next('event');
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 2001, 'event', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Granted-Service-Unit', [['CC-Service-Specific-Units', 1]]],
          ['Rating-Group', 200],
          ['Result-Code', 2001],
        ],
      ],
      cost(10),
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 490, reserved: 0, spent: 10 });
    expect(await ocs.cdrs(msisdn)).toEqual([
      {
        id: expect.any(String),
        sessionId: s.id,
        msisdn,
        service: 'sms',
        used: { '200': 1 },
        amounts: { money: 10 },
        levels: ['pps:std:sms'],
        startedAt,
        endedAt: startedAt,
        resultCode: 2001,
        reason: 'event',
        action: 'direct-debiting',
      },
    ]);
  });

  it('charges several messages at command level (no MSCC)', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [['Requested-Service-Unit', [messages(3)]]]);
    const answer = await s.next('event');
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 2001, 'event', 0),
      ['Granted-Service-Unit', [['CC-Service-Specific-Units', 3]]],
      cost(30),
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 470, reserved: 0, spent: 30 });
  });

  it('charges every MSCC of one rating group', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [
      mscc(200, { rsu: [messages(1)], serviceIdentifier: 1 }),
      mscc(200, { rsu: [messages(2)], serviceIdentifier: 2 }),
    ]);
    const answer = await s.next('event');
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 2001, 'event', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Granted-Service-Unit', [['CC-Service-Specific-Units', 3]]],
          ['Service-Identifier', 1],
          ['Service-Identifier', 2],
          ['Rating-Group', 200],
          ['Result-Code', 2001],
        ],
      ],
      cost(30),
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 470, reserved: 0, spent: 30 });
  });

  it('answers 4012 and charges nothing when the account cannot pay all of it', async () => {
    const msisdn = await ocs.account({ balance: 25 });
    const s = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [mscc(200, { rsu: [messages(3)] })]);
    const answer = await s.next('event');
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 4012, 'event', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 200],
          ['Result-Code', 4012],
        ],
      ],
      ['Error-Message', 'insufficient funds'],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 25, reserved: 0, spent: 0 });
    for (const cdr of await ocs.cdrs(msisdn)) expect(cdr.amounts).toEqual({});
  });

  it('answers a replayed event with its first answer and charges it once', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [mscc(200, { rsu: [messages(1)] })]);
    const message = s.build('event');
    const first = await ocs.send(message);
    const again = await ocs.send(message, { retransmitted: true });
    const third = await ocs.send(message);
    expect(shape(again)).toEqual(shape(first));
    expect(shape(third)).toEqual(shape(first));
    expect(await ocs.balance(msisdn)).toEqual({ available: 490, reserved: 0, spent: 10 });
    expect(await ocs.cdrs(msisdn)).toHaveLength(1);
  });

  it('answers 4011 for a postpaid subscriber, charges nothing and records the event', async () => {
    const msisdn = await ocs.account({ prepaid: false, balance: 0 });
    const s = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [mscc(200, { rsu: [messages(2)] })]);
    const answer = await s.next('event');
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 4011, 'event', 0),
      ['Error-Message', expect.any(String)],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 0, reserved: 0, spent: 0 });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({
      sessionId: s.id,
      used: { '200': 2 },
      amounts: {},
      reason: 'postpaid',
      resultCode: 4011,
    });
  });
});

describe('REFUND_ACCOUNT', () => {
  it('gives back the price of the units named', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = event(CONTEXT.sms, msisdn, ACTION.refundAccount, [['Requested-Service-Unit', [messages(2)]]]);
    const answer = await s.next('event');
    expect(shape(answer)).toEqual([...ccaHead(s.id, 2001, 'event', 0), cost(20)]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 520, reserved: 0, spent: 0 });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({ action: 'refund-account', amounts: { money: -20 }, reason: 'event' });
  });

  it('gives back a CC-Money amount, once however often it is sent', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const money: AvpEntry = [
      'CC-Money',
      [
        [
          'Unit-Value',
          [
            ['Value-Digits', 150],
            ['Exponent', -2],
          ],
        ],
        ['Currency-Code', 156],
      ],
    ];
    const s = event(CONTEXT.voice, msisdn, ACTION.refundAccount, [['Requested-Service-Unit', [money]]]);
    const message = s.build('event');
    const answer = await ocs.send(message);
    expect(shape(answer)).toEqual([...ccaHead(s.id, 2001, 'event', 0), cost(150)]);
    expect(shape(await ocs.send(message, { retransmitted: true }))).toEqual(shape(answer));
    expect(await ocs.balance(msisdn)).toEqual({ available: 650, reserved: 0, spent: 0 });
  });
});

describe('CHECK_BALANCE', () => {
  it('answers ENOUGH_CREDIT or NO_CREDIT for the price asked, moving no money', async () => {
    const rich = await ocs.account({ balance: 45 });
    const enough = event(CONTEXT.voice, rich, ACTION.checkBalance, [
      ['Requested-Service-Unit', [seconds(180)]],
    ]);
    const yes = await enough.next('event');
    expect(shape(yes)).toEqual([...ccaHead(enough.id, 2001, 'event', 0), ['Check-Balance-Result', 0]]);

    const short = event(CONTEXT.voice, rich, ACTION.checkBalance, [
      ['Requested-Service-Unit', [seconds(181)]],
    ]);
    const no = await short.next('event');
    expect(shape(no)).toEqual([...ccaHead(short.id, 2001, 'event', 0), ['Check-Balance-Result', 1]]);

    expect(await ocs.balance(rich)).toEqual({ available: 45, reserved: 0, spent: 0 });
    expect(await ocs.cdrs(rich)).toEqual([]);
  });

  it('answers NO_CREDIT for an empty account', async () => {
    const empty = await ocs.account({ balance: 0 });
    const s = event(CONTEXT.sms, empty, ACTION.checkBalance, []);
    expect((await s.next('event')).get('Check-Balance-Result')).toBe(1);
  });
});

describe('PRICE_ENQUIRY', () => {
  it('answers Cost-Information for voice, SMS and data, moving no money', async () => {
    const msisdn = await ocs.account({ balance: 1 });
    const voice = event(CONTEXT.voice, msisdn, ACTION.priceEnquiry, [
      ['Requested-Service-Unit', [seconds(150)]],
    ]);
    expect(shape(await voice.next('event'))).toEqual([...ccaHead(voice.id, 2001, 'event', 0), cost(45)]);

    const sms = event(CONTEXT.sms, msisdn, ACTION.priceEnquiry, [['Requested-Service-Unit', [messages(4)]]]);
    expect(shape(await sms.next('event'))).toEqual([...ccaHead(sms.id, 2001, 'event', 0), cost(40)]);

    const data = event(CONTEXT.data, msisdn, ACTION.priceEnquiry, [
      mscc(10, { rsu: [octets(3 * MiB)] }),
      mscc(20, { rsu: [octets(MiB + 1)] }),
    ]);
    expect(shape(await data.next('event'))).toEqual([...ccaHead(data.id, 2001, 'event', 0), cost(90 + 20)]);

    expect(await ocs.balance(msisdn)).toEqual({ available: 1, reserved: 0, spent: 0 });
    expect(await ocs.cdrs(msisdn)).toEqual([]);
  });

  it('answers 5031 for a service the tariff does not price', async () => {
    const msisdn = await ocs.account({ tariff: 'voice-only' });
    const s = event(CONTEXT.sms, msisdn, ACTION.priceEnquiry, [['Requested-Service-Unit', [messages(1)]]]);
    expect((await s.next('event')).get('Result-Code')).toBe(5031);
  });
});

describe('an account below its minimum threshold', () => {
  it('may not spend, but is refunded, has its balance checked and is told prices', async () => {
    const msisdn = await ocs.account({ balance: 50, minThreshold: 100 });
    const debit = event(CONTEXT.sms, msisdn, ACTION.directDebiting, [
      ['Requested-Service-Unit', [messages(1)]],
    ]);
    expect((await debit.next('event')).get('Result-Code')).toBe(4012);

    const refund = event(CONTEXT.sms, msisdn, ACTION.refundAccount, [
      ['Requested-Service-Unit', [messages(2)]],
    ]);
    expect(shape(await refund.next('event'))).toEqual([...ccaHead(refund.id, 2001, 'event', 0), cost(20)]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 70, reserved: 0, spent: 0 });

    const check = event(CONTEXT.sms, msisdn, ACTION.checkBalance, [
      ['Requested-Service-Unit', [messages(1)]],
    ]);
    expect(shape(await check.next('event'))).toEqual([
      ...ccaHead(check.id, 2001, 'event', 0),
      ['Check-Balance-Result', 1],
    ]);

    const price = event(CONTEXT.sms, msisdn, ACTION.priceEnquiry, [
      ['Requested-Service-Unit', [messages(3)]],
    ]);
    expect(shape(await price.next('event'))).toEqual([...ccaHead(price.id, 2001, 'event', 0), cost(30)]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 70, reserved: 0, spent: 0 });
  });

  it('is still refused every action when blocked', async () => {
    const msisdn = await ocs.account({ balance: 50, minThreshold: 100, status: 'blocked' });
    for (const action of [ACTION.refundAccount, ACTION.checkBalance, ACTION.priceEnquiry]) {
      const s = event(CONTEXT.sms, msisdn, action, [['Requested-Service-Unit', [messages(1)]]]);
      expect((await s.next('event')).get('Result-Code')).toBe(4010);
    }
    expect(await ocs.balance(msisdn)).toEqual({ available: 50, reserved: 0, spent: 0 });
  });
});

describe('refused events', () => {
  it('answers 5030 for an unknown subscriber and 4010 for a blocked one', async () => {
    const unknown = event(CONTEXT.sms, '8613700000999', ACTION.directDebiting, [
      mscc(200, { rsu: [messages(1)] }),
    ]);
    expect(shape(await unknown.next('event'))).toEqual([
      ...ccaHead(unknown.id, 5030, 'event', 0),
      ['Error-Message', expect.any(String)],
    ]);
    const blocked = await ocs.account({ status: 'blocked' });
    const s = event(CONTEXT.sms, blocked, ACTION.directDebiting, [mscc(200, { rsu: [messages(1)] })]);
    expect((await s.next('event')).get('Result-Code')).toBe(4010);
    expect(await ocs.balance(blocked)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });
});
