/**
 * One entry per open session in Redis's global sets (DESIGN §5): the reservation a request of a
 * supervised session leaves has no entry in the reservation index, as Tcc supervision returns it
 * (RFC 4006 §7). Whatever the client or the servers do, no reservation is left that nothing
 * will expire: each case below ends with the money back by the sweeps alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({
    settings: { data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 }, tccGraceSeconds: 30 },
  });
});
afterAll(() => ocs.close());

/** Validity-Time plus the grace: a data session silent this long is closed. */
const TCC_SECONDS = 630;

const indexed = (s: CcSession, rg = 10) =>
  ocs.redis.zscore(`${ocs.prefix}resv-index`, `${s.msisdn}|${rg}|${s.id}`);
const supervised = (s: CcSession) => ocs.redis.zscore(`${ocs.prefix}sess-supervision`, `${s.msisdn}|${s.id}`);
const recordKey = (s: CcSession) => `${ocs.prefix}sess:{${s.msisdn}}:${s.id}`;

async function opened(rgs = [10]): Promise<CcSession> {
  const s = new CcSession(ocs, CONTEXT.data, await ocs.account({ balance: 1000 }));
  const answer = await s.initial(rgs.map((rg) => mscc(rg, { rsu: [octets(2 * MiB)] })));
  expect(answer.get('Result-Code')).toBe(2001);
  return s;
}

describe('reservations of supervised sessions', () => {
  it('have no index entry, and supervision alone gives them back when the client vanishes', async () => {
    const s = await opened();
    expect(await indexed(s)).toBeNull();
    expect(await supervised(s)).not.toBeNull();
    ocs.clock.advance(100);
    await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })]);
    expect(await indexed(s)).toBeNull();
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 910, reserved: 60, spent: 30 });

    ocs.clock.advance(TCC_SECONDS);
    expect((await ocs.server.supervisor.supervise()).closed).toBe(1);
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
    expect(await supervised(s)).toBeNull();
    expect(await indexed(s)).toBeNull();
  });

  it('come back when the record is gone (the servers were down longer than it lives)', async () => {
    const s = await opened();
    await ocs.redis.del(recordKey(s));
    ocs.clock.advance(TCC_SECONDS);
    expect(await ocs.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 1 });
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect(await supervised(s)).toBeNull();
  });

  it('not due yet when supervision lets go of the session go in the index, and the sweep returns them', async () => {
    const s = await opened();
    ocs.clock.advance(300);
    // The grant of this update expires 630 s from now; the session stays due at its CCR-I's time.
    await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })]);
    await ocs.redis.del(recordKey(s));
    ocs.clock.advance(TCC_SECONDS - 300);
    expect(await ocs.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 0 });
    expect(await supervised(s)).toBeNull();
    expect(Number(await indexed(s))).toBe(ocs.clock.ms + 300_000);
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 910, reserved: 60, spent: 30 });

    ocs.clock.advance(300);
    expect(await ocs.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 1 });
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
    expect(await indexed(s)).toBeNull();
  });

  it('of a session no longer supervised (its entry removed by hand) are indexed again', async () => {
    const s = await opened();
    await ocs.redis.zrem(`${ocs.prefix}sess-supervision`, `${s.msisdn}|${s.id}`);
    await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })]);
    expect(Number(await indexed(s))).toBe(ocs.clock.ms + TCC_SECONDS * 1000);

    ocs.clock.advance(TCC_SECONDS);
    expect(await ocs.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 1 });
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
  });

  it('of a session opened with two rating groups are indexed, and come back once', async () => {
    const s = await opened([10, 20]);
    expect(await indexed(s, 10)).not.toBeNull();
    expect(await indexed(s, 20)).not.toBeNull();
    ocs.clock.advance(TCC_SECONDS);
    expect((await ocs.server.supervisor.supervise()).closed).toBe(1);
    expect(await ocs.balance(s.msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect(await ocs.server.supervisor.supervise()).toEqual({ closed: 0, reservationsExpired: 0 });
    expect(await indexed(s, 10)).toBeNull();
  });

  it('keep their supervision when supervision let go of a record that has changed since', async () => {
    const s = await opened();
    // Read as gone, but a CCR-I has written one since: the entry covering its reservation stays.
    await ocs.server.sessions.unsupervise(s.msisdn, s.id, '');
    expect(await supervised(s)).not.toBeNull();
    await ocs.server.sessions.unsupervise(s.msisdn, s.id, (await ocs.redis.get(recordKey(s)))!);
    expect(await supervised(s)).toBeNull();
  });
});
