/**
 * A request whose deadline has passed by the time Redis runs its charge, as one queued behind
 * a stalled Redis: the charge freezes or takes nothing, and the CCR is answered 5012 as a whole
 * (the client applies its Credit-Control-Failure-Handling), logged with the peer and the
 * reason, and counted. Every request here arrives with its deadline already behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PEER_HOST } from '../../support/diameter-peer.js';
import {
  ACTION,
  CONTEXT,
  CcSession,
  MiB,
  messages,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

const late = () => {
  ocs.server.charging.charging.storeDeadlineMs = -60_000;
};
const inTime = () => {
  ocs.server.charging.charging.storeDeadlineMs = 1000;
};

async function unserved(requestType: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${ocs.server.httpPort}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('ocs_charging_store_unavailable_total{') &&
        l.includes(`request_type="${requestType}"`) &&
        l.includes('reason="deadline_passed"'),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('a charge past its request deadline', () => {
  it('CCR-I: nothing frozen, no session, 5012 logged and counted', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    late();
    const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    inTime();
    expect(answer.get('Result-Code')).toBe(5012);
    expect(answer.all('Multiple-Services-Credit-Control')).toEqual([]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect(await ocs.server.sessions.load(msisdn, s.id)).toBeUndefined();
    expect(await unserved('initial')).toBe(1);
    expect(ocs.logs).toContainEqual(
      expect.objectContaining({
        msg: 'credit control failed',
        reason: 'deadline_passed',
        peer: TEST_PEER_HOST,
        sessionId: s.id,
      }),
    );
  });

  it('CCR-U asking a new grant: refused whole, usage and all; a CCR-T in time then settles it', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    expect((await s.initial([mscc(10, { rsu: [octets(MiB)] })])).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 30, spent: 0 });
    late();
    const update = await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    inTime();
    expect(update.get('Result-Code')).toBe(5012);
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 30, spent: 0 });
    expect(await unserved('update')).toBe(1);
    const end = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(end.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 970, reserved: 0, spent: 30 });
  });

  it('CCR-Event direct debit: nothing charged, 5012 for the request, not one MSCC', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = new CcSession(ocs, CONTEXT.sms, msisdn, [
      ['Requested-Action', ACTION.directDebiting],
      mscc(200, { rsu: [messages(1)] }),
    ]);
    late();
    const answer = await s.next('event');
    inTime();
    expect(answer.get('Result-Code')).toBe(5012);
    expect(answer.all('Multiple-Services-Credit-Control')).toEqual([]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 500, reserved: 0, spent: 0 });
    expect(await unserved('event')).toBe(1);
  });
});
