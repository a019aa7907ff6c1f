/**
 * A server closed with 200 requests in progress over TCP and TLS peers: readiness off, new
 * connections refused, a new request answered 3004, every request in progress answered, then
 * DPR REBOOTING to each peer (RFC 6733 §5.4), and the money exact once Tcc has returned the
 * reservations of the sessions whose CCR-T never came (RFC 4006 §7).
 *
 * The server reaches Redis through a relay that holds its commands while the requests are
 * sent, so that all of them are in progress when close() is called; the run's Redis itself is
 * never paused.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, inject, it, vi } from 'vitest';
import { answerView, TestPeer, type ReceivedAnswer } from '../../support/diameter-peer.js';
import {
  CONTEXT,
  CcSession,
  MiB,
  OCS_ORIGIN_HOST,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { createTestPki, type TestPki } from '../../support/tls-certificates.js';
import { RedisGate } from './redis-gate.js';

const DPR = 282;
const DISCONNECT_CAUSE_REBOOTING = 0;
const ACCOUNTS = 10;
const INITIAL = 100_000;
/** Peers over TCP and over TLS, each with its sessions: one CCR-T and one CCR-I each in flight. */
const TCP_PEERS = 3;
const TLS_PEERS = 2;
const SESSIONS_PER_PEER = 20;
const IN_FLIGHT = (TCP_PEERS + TLS_PEERS) * SESSIONS_PER_PEER * 2;
/** RG 10 costs 30 per started MiB (TARIFFS_YAML): a session reserves, then spends, 30. */
const PRICE = 30;

let pki: TestPki;
let gate: RedisGate;
let ocs: OcsFixture;
const peers: TestPeer[] = [];

beforeAll(async () => {
  pki = createTestPki();
  gate = await RedisGate.open(inject('redisUrl'));
  ocs = await startOcs({
    env: {
      REDIS_URL: gate.url,
      // The relay holds commands for a while: far from their deadline all the same.
      REDIS_COMMAND_TIMEOUT_MS: '10000',
      SHUTDOWN_TIMEOUT_MS: '15000',
      DIAMETER_TLS_PORT: '0',
      DIAMETER_TLS_CERT: pki.server.certFile,
      DIAMETER_TLS_KEY: pki.server.keyFile,
    },
  });
  for (let n = 0; n < TCP_PEERS; n++) peers.push(await ocs.connect());
  for (let n = 0; n < TLS_PEERS; n++) {
    const peer = new TestPeer(ocs.server.diameterTlsPort!, {
      ca: pki.ca.cert,
      servername: 'ocs.localdomain',
    });
    await peer.open();
    peers.push(peer);
  }
});

afterAll(async () => {
  gate?.release();
  await Promise.all(peers.map((p) => p.close()));
  await ocs?.close();
  await gate?.close();
  pki?.remove();
});

/** Whether a new TCP connection to the port is refused. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

function disconnects(peer: TestPeer): ReceivedAnswer[] {
  return peer.serverRequests.filter((m) => m.commandCode === DPR).map((m) => answerView(peer.dict, m));
}

it('answers every request in progress, then sends DPR REBOOTING, and the money is exact', async () => {
  const accounts: string[] = [];
  for (let n = 0; n < ACCOUNTS; n++) accounts.push(await ocs.account({ balance: INITIAL }));
  let sessions = 0;
  const session = (peer: TestPeer) =>
    new CcSession(ocs, CONTEXT.data, accounts[sessions++ % ACCOUNTS]!, [], peer);
  const reserve = mscc(10, { rsu: [octets(MiB)] });
  const use = mscc(10, { usu: [[octets(MiB)]] });

  // Sessions open before the shutdown, whose CCR-T will be in flight.
  const open = peers.flatMap((peer) => Array.from({ length: SESSIONS_PER_PEER }, () => session(peer)));
  const opened = await Promise.all(open.map((s) => s.initial([reserve])));
  expect(opened.map((a) => a.get('Result-Code'))).toEqual(opened.map(() => 2001));
  const before = await Promise.all(accounts.map((m) => ocs.balance(m)));
  expect(before.reduce((sum, b) => sum + b.reserved, 0)).toBe(open.length * PRICE);

  gate.hold();
  const fresh = peers.flatMap((peer) => Array.from({ length: SESSIONS_PER_PEER }, () => session(peer)));
  const inFlight = [...open.map((s) => s.terminate([use])), ...fresh.map((s) => s.initial([reserve]))];
  await vi.waitFor(() => expect(ocs.server.diameter.admission.inFlight).toBe(IN_FLIGHT), { timeout: 5000 });

  const closing = ocs.server.close();
  // Draining: not ready, no new connection on either port, a new request refused with 3004.
  const ready = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/readyz`);
  expect(ready.status).toBe(503);
  expect(await refusesConnections(ocs.server.diameterPort)).toBe(true);
  expect(await refusesConnections(ocs.server.diameterTlsPort!)).toBe(true);
  const late = session(peers[0]!);
  const refused = await late.initial([reserve]);
  expect(refused.get('Result-Code')).toBe(3004);
  expect(refused.errorBit).toBe(true);
  expect(refused.get('Error-Message')).toBe('the server is shutting down');
  // Nothing was cut and no DPR has left while the requests are in progress.
  expect(ocs.server.diameter.admission.inFlight).toBe(IN_FLIGHT);
  expect(peers.map((p) => disconnects(p).length)).toEqual(peers.map(() => 0));

  gate.release();
  expect(await closing).toBe(true);
  const answers = await Promise.all(inFlight);
  expect(answers.map((a) => a.get('Result-Code'))).toEqual(answers.map(() => 2001));
  for (const peer of peers) {
    const [dpr, ...more] = disconnects(peer);
    expect(more).toEqual([]);
    expect(dpr?.get('Disconnect-Cause')).toBe(DISCONNECT_CAUSE_REBOOTING);
    expect(dpr?.get('Origin-Host')).toBe(OCS_ORIGIN_HOST);
    expect(await peer.whenClosed(1000)).toBe(true);
  }

  // The fresh sessions never got their CCR-T: another instance's Tcc supervision returns
  // their reservations once Validity-Time and the grace have passed (a day is well past both).
  const { server: other } = await ocs.secondInstance();
  ocs.clock.advance(24 * 3600);
  let closed = 0;
  for (let run = await other.supervisor.supervise(); run.closed > 0; run = await other.supervisor.supervise())
    closed += run.closed;
  expect(closed).toBe(fresh.length);
  const spentPerAccount = (open.length / ACCOUNTS) * PRICE;
  for (const msisdn of accounts) {
    const account = await other.store.getAccount(msisdn);
    expect(account?.buckets.money).toEqual({
      available: INITIAL - spentPerAccount,
      reserved: 0,
      spent: spentPerAccount,
    });
  }
});
