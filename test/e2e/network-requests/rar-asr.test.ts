/**
 * Re-Auth-Request and Abort-Session-Request across instances (RFC 4006 §5.5, RFC 6733 §8.3,
 * §8.5): the client holds a connection to instance A only, the trigger reaches instance B, and
 * the request goes out over A's connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFlags } from '../../../src/diameter/message.js';
import type { RunningServer } from '../../../src/server/start.js';
import {
  CONTEXT,
  CcSession,
  MiB,
  OCS_ORIGIN_HOST,
  OCS_ORIGIN_REALM,
  mscc,
  msccResults,
  octets,
  shape,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { TEST_PEER_HOST } from '../../support/diameter-peer.js';
import {
  ABORT_SESSION,
  RE_AUTH,
  ServerRequests,
  admin,
  instanceWithoutClient,
  metric,
  until,
} from './support.js';

const FORCED_REAUTHORISATION = 7;
const ABORT_BOUND_MS = 300;

let ocs: OcsFixture;
let b: RunningServer;
let requests: ServerRequests;

beforeAll(async () => {
  ocs = await startOcs({
    settings: {
      data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 },
      finalUnit: { action: 'redirect', redirect: { addressType: 'url', address: 'http://topup.example/' } },
    },
    env: { ASR_CLOSE_TIMEOUT_MS: String(ABORT_BOUND_MS), NETWORK_REQUEST_TIMEOUT_MS: '200' },
  });
  b = await instanceWithoutClient(ocs);
  requests = new ServerRequests(ocs.peer);
});
afterAll(() => ocs.close());

/** A data session holding 2 MiB on RG 10 (0.60) of an account with 10.00. */
async function openSession() {
  const msisdn = await ocs.account({ balance: 1000 });
  const s = new CcSession(ocs, CONTEXT.data, msisdn);
  await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
  expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 60, spent: 0 });
  return { msisdn, s };
}

async function closedHere(msisdn: string, sessionId: string): Promise<boolean> {
  return (await ocs.server.sessions.load(msisdn, sessionId))?.state === 'closed';
}

describe('RAR after a top-up', () => {
  it('reaches the client of a session that ran dry, and its next CCR-U is granted with exact money', async () => {
    requests.resultCode = 2001;
    const msisdn = await ocs.account({ balance: 40 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const first = await s.initial([mscc(10, { rsu: [octets(5 * MiB)] })]);
    expect(JSON.stringify(shape(first))).toContain('Final-Unit-Indication');
    const dry = await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    expect(msccResults(dry)).toEqual([4012]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 0, spent: 30 });
    const before = requests.received.length;

    const topup = await admin(b, 'POST', `/accounts/${msisdn}/topups`, {
      amount: 1000,
      reference: `v-${s.id}`,
    });
    expect(topup.status).toBe(201);
    const rar = await requests.nth(before + 1, 1000);

    expect(rar.message.commandCode).toBe(RE_AUTH);
    expect(rar.message.applicationId).toBe(4);
    expect(rar.message.flags & (CommandFlags.Request | CommandFlags.Proxiable)).toBe(0xc0);
    expect(shape(rar)).toEqual([
      ['Session-Id', s.id],
      ['Origin-Host', OCS_ORIGIN_HOST],
      ['Origin-Realm', OCS_ORIGIN_REALM],
      ['Destination-Realm', 'test.example'],
      ['Destination-Host', TEST_PEER_HOST],
      ['Auth-Application-Id', 4],
      ['Re-Auth-Request-Type', 0],
      ['Rating-Group', 10],
    ]);

    const again = await s.update([mscc(10, { rsu: [octets(MiB)], reportingReason: FORCED_REAUTHORISATION })]);
    expect(msccResults(again)).toEqual([2001]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 980, reserved: 30, spent: 30 });
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 980, reserved: 0, spent: 60 });
    // Counted by A, which sent it over its connection.
    await until(
      async () => (await metric(ocs.server, 'ocs_rar_sent_total{trigger="topup",outcome="success"}')) === 1,
      'the RAR counted',
    );
  });

  it('reaches the client of a session whose last grant was its final units, before any 4012', async () => {
    const msisdn = await ocs.account({ balance: 40 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const first = await s.initial([mscc(10, { rsu: [octets(5 * MiB)] })]);
    expect(JSON.stringify(shape(first))).toContain('Final-Unit-Indication');
    const before = requests.received.length;

    await admin(b, 'POST', `/accounts/${msisdn}/topups`, { amount: 1000, reference: `f-${s.id}` });
    const rar = await requests.nth(before + 1, 1000);
    expect(rar.message.commandCode).toBe(RE_AUTH);
    expect(shape(rar)).toContainEqual(['Rating-Group', 10]);
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 1010, reserved: 0, spent: 30 });
  });

  it('is not sent to a session that still had money', async () => {
    const { msisdn, s } = await openSession();
    const before = requests.received.length;
    await admin(b, 'POST', `/accounts/${msisdn}/topups`, { amount: 100, reference: `w-${s.id}` });
    // The operator's RAR after it is the first request the client sees.
    const result = await admin(b, 'POST', `/accounts/${msisdn}/sessions/reauthorize`);
    expect(result.json).toMatchObject({
      requests: [{ sessionId: s.id, kind: 'rar', outcome: 'success', resultCode: 2001 }],
    });
    expect(requests.received.length).toBe(before + 1);
    expect(shape(await requests.nth(before + 1, 1000))).not.toContainEqual(['Rating-Group', 10]);
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
  });
});

describe('ASR when the account is reported lost', () => {
  it('reaches the client, whose CCR-T charges what was used and leaves nothing frozen', async () => {
    requests.resultCode = 2001;
    const { msisdn, s } = await openSession();
    const before = requests.received.length;
    const patched = await admin(b, 'PATCH', `/accounts/${msisdn}`, { status: 'lost' });
    expect(patched.status).toBe(200);
    const asr = await requests.nth(before + 1, 1000);
    expect(asr.message.commandCode).toBe(ABORT_SESSION);
    expect(shape(asr)).toEqual([
      ['Session-Id', s.id],
      ['Origin-Host', OCS_ORIGIN_HOST],
      ['Origin-Realm', OCS_ORIGIN_REALM],
      ['Destination-Realm', 'test.example'],
      ['Destination-Host', TEST_PEER_HOST],
      ['Auth-Application-Id', 4],
    ]);

    const end = await s.terminate([mscc(10, { usu: [[octets(MiB + 1)]] })]);
    expect(end.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 0, spent: 60 });
    expect(await ocs.server.store.listReservations(msisdn)).toEqual([]);
    expect((await ocs.cdrs(msisdn))[0]).toMatchObject({
      sessionId: s.id,
      reason: 'termination',
      amounts: { money: 60 },
    });
    // Past the bound the sweep finds it closed by its CCR-T and leaves it so.
    await new Promise((r) => setTimeout(r, ABORT_BOUND_MS * 2));
    expect(await ocs.cdrs(msisdn)).toHaveLength(1);
  });

  it('closes the session here when the client ignores it: money returned, CDR reason abort', async () => {
    requests.resultCode = undefined;
    const { msisdn, s } = await openSession();
    const before = requests.received.length;
    await admin(b, 'PATCH', `/accounts/${msisdn}`, { status: 'blocked' });
    const first = await requests.nth(before + 1, 1000);
    // Unanswered, the ASR goes again as a retransmission: T bit, the same End-to-End id.
    const second = await requests.nth(before + 2, 2000);
    expect(second.message.flags & CommandFlags.Retransmitted).toBe(CommandFlags.Retransmitted);
    expect(second.message.endToEnd).toBe(first.message.endToEnd);

    await until(() => closedHere(msisdn, s.id), 'the session closed here');
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect((await ocs.cdrs(msisdn))[0]).toMatchObject({ sessionId: s.id, reason: 'abort' });
    const late = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(late.get('Result-Code')).toBe(5002);
    await until(
      async () =>
        (await metric(ocs.server, 'ocs_asr_sent_total{trigger="status",outcome="no_answer"}')) === 1,
      'the ASR counted',
    );
  });

  it('closes it after the bound too when the client answers ASA but sends no CCR-T', async () => {
    requests.resultCode = 2001;
    const { msisdn, s } = await openSession();
    const result = await admin(b, 'POST', `/accounts/${msisdn}/sessions/${encodeURIComponent(s.id)}/abort`);
    expect(result).toMatchObject({ status: 200, json: { requests: [{ kind: 'asr', outcome: 'success' }] } });
    await until(() => closedHere(msisdn, s.id), 'the session closed here');
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect((await ocs.cdrs(msisdn))[0]).toMatchObject({ reason: 'abort' });
  });
});

describe('answers and failures', () => {
  it('RAA 5002 closes the session here and returns its money', async () => {
    requests.resultCode = 5002;
    const { msisdn, s } = await openSession();
    const result = await admin(
      b,
      'POST',
      `/accounts/${msisdn}/sessions/${encodeURIComponent(s.id)}/reauthorize`,
    );
    expect(result).toMatchObject({
      status: 200,
      json: { requests: [{ sessionId: s.id, kind: 'rar', outcome: 'unknown_session', resultCode: 5002 }] },
    });
    expect(await closedHere(msisdn, s.id)).toBe(true);
    expect(await ocs.balance(msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect((await ocs.cdrs(msisdn))[0]).toMatchObject({ sessionId: s.id, reason: 'unknown-at-client' });
  });

  it('a session that is not open is 404 SESSION_NOT_OPEN, an unknown account 404', async () => {
    const msisdn = await ocs.account();
    expect(await admin(b, 'POST', `/accounts/${msisdn}/sessions/nothing/abort`)).toMatchObject({
      status: 404,
      json: { code: 'SESSION_NOT_OPEN' },
    });
    expect(await admin(b, 'POST', '/accounts/8613999999999/sessions/reauthorize')).toMatchObject({
      status: 404,
      json: { code: 'ACCOUNT_NOT_FOUND' },
    });
  });

  it('no instance holding the client: no_peer in the result and the metrics', async () => {
    requests.resultCode = 2001;
    const other = await ocs.connect();
    other.onServerRequest = (r) => other.answerServerRequest(r, 2001);
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })], other);
    // Both connections are the same peer: closing one leaves A holding it.
    await other.close();
    const held = await admin(b, 'POST', `/accounts/${msisdn}/sessions/reauthorize`);
    expect(held.json).toMatchObject({ requests: [{ outcome: 'success' }] });

    await ocs.peer.close();
    await until(() => ocs.server.diameter.openPeers === 0, 'A to see its client gone');
    const result = await admin(b, 'POST', `/accounts/${msisdn}/sessions/reauthorize`);
    expect(result.json).toEqual({ requests: [{ sessionId: s.id, kind: 'rar', outcome: 'no_peer' }] });
    expect(await metric(b, 'ocs_rar_sent_total{trigger="operator",outcome="no_peer"}')).toBe(1);
  });
});
