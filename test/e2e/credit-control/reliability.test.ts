/**
 * What the network does to credit control end to end: retransmissions (RFC 6733 §3 T flag,
 * RFC 4006 §5.1 Session-Id + CC-Request-Number), a CCR-T overtaking its CCR-I, a session that
 * moves between server instances (DESIGN §5), and Tcc supervision of a silent client
 * (RFC 4006 §7). The money balances after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  imsInformation,
  mscc,
  octets,
  seconds,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

describe('retransmissions', () => {
  it('answers a replayed CCR-U (T flag, then without) with its first answer and charges once', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
    const message = s.build('update', [mscc(10, { rsu: [octets(MiB)], usu: [[octets(2 * MiB)]] })]);
    s.number++;
    const first = await ocs.send(message);
    expect(first.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 30, spent: 60 });

    const flagged = await ocs.send(message, { retransmitted: true });
    const plain = await ocs.send(message);
    expect(shape(flagged)).toEqual(shape(first));
    expect(shape(plain)).toEqual(shape(first));
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 30, spent: 60 });

    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 0, spent: 90 });
  });

  it('charges once when the copy arrives while the first is still being handled', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
    const message = s.build('update', [mscc(10, { rsu: [octets(MiB)], usu: [[octets(2 * MiB)]] })]);
    const [a, b] = await Promise.all([ocs.send(message), ocs.send(message, { retransmitted: true })]);
    expect(shape(b)).toEqual(shape(a));
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 30, spent: 60 });
  });

  it('answers a replayed CCR-I and CCR-T with their first answers, reserving and closing once', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    const initial = s.build('initial', [mscc(100, { rsu: [seconds(120)] })]);
    s.number++;
    const i = await ocs.send(initial);
    expect(shape(await ocs.send(initial, { retransmitted: true }))).toEqual(shape(i));
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 30, spent: 0 });

    const termination = s.build('termination', [mscc(100, { usu: [[seconds(61)]] })]);
    const t = await ocs.send(termination);
    expect(shape(await ocs.send(termination, { retransmitted: true }))).toEqual(shape(t));
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
    expect(await ocs.cdrs(msisdn)).toHaveLength(1);
  });
});

describe('a CCR-T racing its CCR-I', () => {
  it('answers both on one connection, the CCR-T after the CCR-I, and the money balances', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn, [
      imsInformation(`tel:+${msisdn}`, 'tel:+861065000000'),
    ]);
    const [i, t] = await Promise.all([
      s.initial([mscc(100, { rsu: [seconds(120)] })]),
      s.terminate([mscc(100, { usu: [[seconds(20)]] })]),
    ]);
    expect(i.get('Result-Code')).toBe(2001);
    expect(t.get('Result-Code')).toBe(2001);
    expect(t.get('CC-Request-Type')).toBe(3);
    expect(await ocs.balance(msisdn)).toEqual({ available: 985, reserved: 0, spent: 15 });
    const [cdr] = await ocs.cdrs(msisdn);
    expect(cdr).toMatchObject({
      sessionId: s.id,
      used: { '100': 20 },
      amounts: { money: 15 },
      reason: 'termination',
    });
  });

  it('keeps many sessions apart when each CCR-T races its CCR-I', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const calls = Array.from({ length: 20 }, () => new CcSession(ocs, CONTEXT.voice, msisdn));
    const answers = await Promise.all(
      calls.flatMap((s, n) => [
        s.initial([mscc(100, { rsu: [seconds(120)] })]),
        s.terminate([mscc(100, { usu: [[seconds(n % 2 === 0 ? 60 : 61)]] })]),
      ]),
    );
    expect(answers.map((a) => a.get('Result-Code'))).toEqual(answers.map(() => 2001));
    // Ten calls of one minute (15) and ten of two started minutes (30).
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000 - 450, reserved: 0, spent: 450 });
  });
});

describe('a session moving between server instances', () => {
  it('lets a second instance on the same Redis take the CCR-U and CCR-T of a session opened on the first', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const other = await ocs.secondInstance();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);

    await s.initial([mscc(10, { rsu: [octets(MiB)] }), mscc(20, { rsu: [octets(MiB)] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 960, reserved: 40, spent: 0 });

    const u = await s.update(
      [mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] }), mscc(20, { usu: [[octets(MiB)]] })],
      other.peer,
    );
    expect(u.get('Result-Code')).toBe(2001);
    expect(u.get('Origin-Host')).toBe('ocs.localdomain');
    expect(await ocs.balance(msisdn)).toEqual({ available: 930, reserved: 30, spent: 40 });

    // And back: the CCR-T on the first, a retransmission of it on the second.
    const termination = s.build('termination', [mscc(10, { usu: [[octets(1)]] })]);
    const t = await ocs.send(termination);
    const again = await other.peer.request(272, 4, termination, { retransmitted: true });
    expect(shape(again)).toEqual(shape(t));
    expect(await ocs.balance(msisdn)).toEqual({ available: 930, reserved: 0, spent: 70 });
    const cdrs = await ocs.cdrs(msisdn);
    expect(cdrs).toHaveLength(1);
    expect(cdrs[0]).toMatchObject({ used: { '10': MiB + 1, '20': MiB }, amounts: { money: 70 } });
  });
});

describe('Tcc supervision', () => {
  let tcc: OcsFixture;
  beforeAll(async () => {
    tcc = await startOcs({
      settings: {
        voice: { defaultQuota: 300, maxQuota: 3600, validityTime: 600 },
        tccGraceSeconds: 30,
      },
    });
  });
  afterAll(() => tcc.close());

  it('closes a silent session after Validity-Time plus the grace, returns its reservation and writes the CDR', async () => {
    const msisdn = await tcc.account({ balance: 1000 });
    const startedAt = tcc.clock.ms;
    const s = new CcSession(tcc, CONTEXT.voice, msisdn, [
      imsInformation(`tel:+${msisdn}`, 'tel:+861065000000'),
    ]);
    await s.initial([mscc(100, { rsu: [seconds(120)] })]);
    tcc.clock.advance(100);
    await s.update([mscc(100, { rsu: [seconds(180)], usu: [[seconds(100)]] })]);
    expect(await tcc.balance(msisdn)).toEqual({ available: 925, reserved: 45, spent: 30 });

    // 630 s after the CCR-U less one: not yet.
    tcc.clock.advance(629);
    expect(await tcc.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 0 });
    expect(await tcc.balance(msisdn)).toEqual({ available: 925, reserved: 45, spent: 30 });

    tcc.clock.advance(1);
    expect((await tcc.server.supervisor.supervise()).closed).toBe(1);
    expect(await tcc.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
    expect(await tcc.cdrs(msisdn)).toEqual([
      {
        id: expect.any(String),
        sessionId: s.id,
        msisdn,
        service: 'voice',
        callingParty: msisdn,
        calledParty: '861065000000',
        role: 'originating',
        used: { '100': 100 },
        amounts: { money: 30 },
        levels: ['pps:std:voice-mo'],
        startedAt,
        endedAt: startedAt + 730_000,
        resultCode: 2001,
        reason: 'tcc-expired',
      },
    ]);

    // The session is gone: later requests get 5002 and charge nothing; supervision is done with it.
    const late = await s.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(180)]] })]);
    expect(late.get('Result-Code')).toBe(5002);
    const t = await s.terminate([mscc(100, { usu: [[seconds(10)]] })]);
    expect(t.get('Result-Code')).toBe(5002);
    expect(await tcc.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
    tcc.clock.advance(3600);
    expect(await tcc.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 0 });
    expect(await tcc.cdrs(msisdn)).toHaveLength(1);
  });

  it('leaves a session alone that keeps reporting', async () => {
    const msisdn = await tcc.account({ balance: 1000 });
    const s = new CcSession(tcc, CONTEXT.voice, msisdn);
    await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    for (let n = 0; n < 3; n++) {
      tcc.clock.advance(500);
      await s.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
      expect((await tcc.server.supervisor.supervise()).closed).toBe(0);
    }
    expect(await tcc.balance(msisdn)).toEqual({ available: 940, reserved: 15, spent: 45 });
    await s.terminate([mscc(100, { usu: [[seconds(1)]] })]);
    expect(await tcc.balance(msisdn)).toEqual({ available: 940, reserved: 0, spent: 60 });
  });
  it('puts every active session back at its real time in one run, and still finds the silent one behind them', async () => {
    const msisdn = await tcc.account({ balance: 100_000 });
    const active = Array.from({ length: 250 }, () => new CcSession(tcc, CONTEXT.voice, msisdn));
    for (const s of active) await s.initial([mscc(100, { rsu: [seconds(60)] })]);
    tcc.clock.advance(1);
    const silent = new CcSession(tcc, CONTEXT.voice, msisdn);
    await silent.initial([mscc(100, { rsu: [seconds(60)] })]);

    tcc.clock.advance(500);
    for (const s of active) await s.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
    // Past the silent one's time (630 s after its CCR-I), not the others' (630 s after their
    // CCR-U): 250 sessions due before it, more than one batch of 100.
    tcc.clock.advance(130);
    expect((await tcc.server.supervisor.supervise()).closed).toBe(1);
    expect(await tcc.cdrs(msisdn)).toEqual([
      expect.objectContaining({ sessionId: silent.id, reason: 'tcc-expired' }),
    ]);
    expect(await tcc.server.sessions.due(tcc.clock.ms, 1000)).toEqual([]);

    for (const s of active) await s.terminate([mscc(100, { usu: [[seconds(1)]] })]);
    expect(await tcc.balance(msisdn)).toEqual({
      available: 100_000 - 250 * 30,
      reserved: 0,
      spent: 250 * 30,
    });
  });

  it('closes a silent session once when two instances supervise at the same time', async () => {
    const other = await tcc.secondInstance();
    const msisdn = await tcc.account({ balance: 1000 });
    const s = new CcSession(tcc, CONTEXT.voice, msisdn);
    await s.initial([mscc(100, { rsu: [seconds(120)] })]);
    tcc.clock.advance(630);
    const [a, b] = await Promise.all([
      tcc.server.supervisor.supervise(),
      other.server.supervisor.supervise(),
    ]);
    expect(a.closed + b.closed).toBe(1);
    expect(await tcc.cdrs(msisdn)).toHaveLength(1);
    expect(await tcc.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
  });
});
