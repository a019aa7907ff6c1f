/**
 * The refusals of RFC 4006 §9 end to end: who is not served (5030, 4010, 4011), what cannot be
 * rated (5031), sessions that do not exist (5002), request numbers out of order, and a request
 * that names no subscriber (5005). Nothing refused moves money.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  ccaHead,
  ccr,
  imsInformation,
  mscc,
  octets,
  seconds,
  shape,
  startOcs,
  MiB,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

const ERROR_MESSAGE: [string, unknown] = ['Error-Message', expect.any(String)];

describe('who is not served', () => {
  it('answers 5030 USER_UNKNOWN for a number with no account', async () => {
    const s = new CcSession(ocs, CONTEXT.voice, '8613700000001');
    const answer = await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    expect(answer.errorBit).toBe(false);
    expect(shape(answer)).toEqual([...ccaHead(s.id, 5030, 'initial', 0), ERROR_MESSAGE]);
  });

  it('answers 4010 END_USER_SERVICE_DENIED for a blocked, a lost and an expired account', async () => {
    const blocked = await ocs.account({ status: 'blocked' });
    const lost = await ocs.account({ status: 'lost' });
    // Valid through 2026-02-28; the clock says 2026-03-01.
    const expired = await ocs.account({ validUntil: '2026-02-28' });
    for (const msisdn of [blocked, lost, expired]) {
      const s = new CcSession(ocs, CONTEXT.data, msisdn);
      const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
      expect(shape(answer)).toEqual([...ccaHead(s.id, 4010, 'initial', 0), ERROR_MESSAGE]);
      expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
    }
  });

  it('serves an account through the last day of its validity', async () => {
    const msisdn = await ocs.account({ validUntil: '2026-03-01' });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    expect((await s.initial([mscc(10, { rsu: [octets(MiB)] })])).get('Result-Code')).toBe(2001);
    await s.terminate();
  });

  it('answers 4011 CREDIT_CONTROL_NOT_APPLICABLE for a postpaid subscriber and records the call', async () => {
    const msisdn = await ocs.account({ prepaid: false, balance: 0 });
    const startedAt = ocs.clock.ms;
    const s = new CcSession(ocs, CONTEXT.voice, msisdn, [
      imsInformation(`tel:+${msisdn}`, 'sip:+8613700000002@ims.example'),
    ]);
    const answer = await s.initial([mscc(100, { rsu: [seconds(120)] })]);
    expect(shape(answer)).toEqual([...ccaHead(s.id, 4011, 'initial', 0), ERROR_MESSAGE]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 0, reserved: 0, spent: 0 });
    expect(await ocs.cdrs(msisdn)).toEqual([
      {
        id: expect.any(String),
        sessionId: s.id,
        msisdn,
        service: 'voice',
        callingParty: msisdn,
        calledParty: '8613700000002',
        role: 'originating',
        used: { '100': 120 },
        amounts: { money: 30 }, // what it would be billed at: two started minutes at 15
        levels: ['pps:std:voice-mo'],
        startedAt,
        endedAt: startedAt,
        resultCode: 4011,
        reason: 'postpaid',
      },
    ]);
    // Credit control does not apply: the session is over.
    expect((await s.update([mscc(100, { usu: [[seconds(60)]] })])).get('Result-Code')).toBe(5002);
  });
});

describe('what cannot be rated', () => {
  it('answers 5031 RATING_FAILED for a Service-Context-Id that is not charged here', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, '32270@3gpp.org', msisdn);
    const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    expect(shape(answer)).toEqual([...ccaHead(s.id, 5031, 'initial', 0), ERROR_MESSAGE]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });

  it('answers 5031 when the account tariff does not exist', async () => {
    await ocs.provision(`
tariffs: [{ id: gone, currency: CNY, voice: { unitSeconds: 60, pricePerUnit: 15 } }]
`);
    const msisdn = await ocs.account({ tariff: 'gone' });
    await ocs.redis.hdel(`${ocs.prefix}cfg:tariffs`, 'gone');
    ocs.server.catalog.invalidate();
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    const answer = await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    expect(answer.get('Result-Code')).toBe(5031);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });
});

describe('sessions that do not exist, and request numbers', () => {
  it('answers 5002 UNKNOWN_SESSION_ID to a CCR-U or CCR-T of a session never opened', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    s.number = 1;
    const u = await s.update([mscc(10, { usu: [[octets(MiB)]], rsu: [octets(MiB)] })]);
    expect(shape(u)).toEqual([...ccaHead(s.id, 5002, 'update', 1), ERROR_MESSAGE]);
    const t = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(shape(t)).toEqual([...ccaHead(s.id, 5002, 'termination', 2), ERROR_MESSAGE]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });

  it('answers 5002 to a request after the CCR-T', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    const late = await s.update([mscc(10, { usu: [[octets(MiB)]], rsu: [octets(MiB)] })]);
    expect(late.get('Result-Code')).toBe(5002);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 0, spent: 30 });
  });

  it('refuses a CC-Request-Number older than the last one, charging nothing', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9910, reserved: 30, spent: 60 });

    const old = await ocs.send(
      s.build('update', [mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })], 1),
    );
    expect(old.get('Result-Code')).toBe(5004);
    expect(old.errorBit).toBe(false);
    expect(old.get('CC-Request-Number')).toBe(1);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9910, reserved: 30, spent: 60 });

    // The session goes on from where it was.
    const t = await s.terminate([mscc(10, { usu: [[octets(1)]] })]);
    expect(t.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9910, reserved: 0, spent: 90 });
  });

  it('does not take a request of another type with the last number for a retransmission', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    await s.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 15, spent: 15 });

    // A CCR-T numbered like the CCR-U before it: not the CCR-U again, and not in order.
    const t = await ocs.send(s.build('termination', [mscc(100, { usu: [[seconds(30)]] })], 1));
    expect(shape(t)).toEqual([
      ...ccaHead(s.id, 5004, 'termination', 1),
      ERROR_MESSAGE,
      ['Failed-AVP', [['CC-Request-Number', 1]]],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 15, spent: 15 });

    s.number = 2;
    expect((await s.terminate([mscc(100, { usu: [[seconds(30)]] })])).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 0, spent: 30 });
    // A CCR-U numbered like the CCR-T that closed the session finds no session.
    const late = await ocs.send(s.build('update', [mscc(100, { usu: [[seconds(30)]] })], 2));
    expect(late.get('Result-Code')).toBe(5002);
    expect(await ocs.cdrs(msisdn)).toHaveLength(1);
  });

  it('accepts request numbers that skip ahead', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    s.number = 5;
    expect((await s.terminate([mscc(10, { usu: [[octets(MiB)]] })])).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9970, reserved: 0, spent: 30 });
  });
});

describe('who is charged', () => {
  it('answers 5005 MISSING_AVP with Failed-AVP when a CCR-I names no subscriber', async () => {
    const sessionId = ocs.sessionId('nosub');
    const answer = await ocs.send(
      ccr({
        sessionId,
        context: CONTEXT.data,
        type: 'initial',
        number: 0,
        avps: [mscc(10, { rsu: [octets(MiB)] })],
      }),
    );
    expect(shape(answer)).toEqual([
      ...ccaHead(sessionId, 5005, 'initial', 0),
      ERROR_MESSAGE,
      // RFC 6733 §7.5: an example of the missing AVP.
      ['Failed-AVP', [['Subscription-Id', expect.any(Array)]]],
    ]);
  });

  it('finds the session of a CCR-U without Subscription-Id by its Session-Id', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    const u = await ocs.send(
      ccr({
        sessionId: s.id,
        context: CONTEXT.data,
        type: 'update',
        number: 1,
        avps: [mscc(10, { rsu: [octets(MiB)], usu: [[octets(10)]] })],
      }),
    );
    expect(u.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 9940, reserved: 30, spent: 30 });
  });

  it('takes a SIP URI Subscription-Id that holds a number', async () => {
    const msisdn = await ocs.account({ balance: 100 });
    const sessionId = ocs.sessionId('sip');
    const answer = await ocs.send([
      ...ccr({ sessionId, context: CONTEXT.voice, type: 'initial', number: 0 }),
      [
        'Subscription-Id',
        [
          ['Subscription-Id-Type', 2],
          ['Subscription-Id-Data', `sip:+${msisdn}@ims.example;user=phone`],
        ],
      ],
      mscc(100, { rsu: [seconds(60)] }),
    ]);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 85, reserved: 15, spent: 0 });
  });
});

describe('when the store cannot be reached', () => {
  let lonely: OcsFixture;
  beforeAll(async () => {
    lonely = await startOcs();
  });
  afterAll(() => lonely.close());

  it('answers 5012 UNABLE_TO_COMPLY at once, not a refusal and not silence', async () => {
    const msisdn = await lonely.account();
    lonely.server.redis.disconnect();
    const s = new CcSession(lonely, CONTEXT.data, msisdn);
    const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    expect(answer.errorBit).toBe(false);
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 5012, 'initial', 0),
      ['Error-Message', 'charging temporarily unavailable'],
    ]);
    expect(lonely.logs.map((l) => l.msg)).toContain('credit control failed');
  });
});
