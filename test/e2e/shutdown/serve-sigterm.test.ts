/**
 * `ocs serve` as a child process, stopped by SIGTERM with requests in progress: every request
 * is answered, the peer gets DPR REBOOTING, and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
 * When the requests cannot finish, the bound cuts them off, says so, and the process exits 1
 * all the same.
 *
 * The child has no key prefix, so it works in a database of the run's Redis of its own, which
 * the test empties before and after. It reaches Redis through a relay that holds its commands
 * while the requests are sent, so that they are all in progress when the signal arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import { BalanceStore } from '../../../src/balance/index.js';
import { TariffCatalog } from '../../../src/catalog/tariffs.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import type { AvpEntry } from '../../../src/diameter/avp-tree.js';
import { provision } from '../../../src/provisioning/apply.js';
import { answerView, TestPeer, type ReceivedAnswer } from '../../support/diameter-peer.js';
import {
  CCR,
  CONTEXT,
  CREDIT_CONTROL,
  CcSession,
  MiB,
  TARIFFS_YAML,
  mscc,
  octets,
} from '../../support/ocs-fixture.js';
import { RedisGate } from './redis-gate.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** A database of the run's Redis that no other test uses. */
const DATABASE = 13;
const DWR = 280;
const DPR = 282;
const SESSIONS = 30;
const MSISDN = '8613900001300';

let redisUrl: string;
let db: Redis;
let gate: RedisGate;
const children = new Set<ChildProcess>();
const peers: TestPeer[] = [];

beforeAll(async () => {
  const url = new URL(inject('redisUrl'));
  url.pathname = `/${DATABASE}`;
  redisUrl = url.toString();
  db = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await db.flushdb();
  const catalog = await TariffCatalog.open({ redis: db });
  const deps = {
    redis: db,
    store: new BalanceStore({ redis: db }),
    catalog,
    sessionKeys: new SessionKeys(''),
  };
  try {
    await provision(deps, TARIFFS_YAML);
    await provision(
      deps,
      JSON.stringify({ accounts: [{ msisdn: MSISDN, tariff: 'std', balance: 100_000 }] }),
    );
  } finally {
    await catalog.close();
  }
  gate = await RedisGate.open(redisUrl);
});

afterEach(async () => {
  gate.release();
  await Promise.all(peers.splice(0).map((p) => p.close()));
  for (const child of children) child.kill('SIGKILL');
});

afterAll(async () => {
  await gate?.close();
  await db?.flushdb();
  await db?.quit();
});

interface Serving {
  child: ChildProcess;
  diameterPort: number;
  httpPort: number;
  /** Every JSON line the child logged so far. */
  logs: { msg: string; [key: string]: unknown }[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `ocs serve` behind the relay; resolves once both its listeners listen. */
function serve(env: Record<string, string>): Promise<Serving> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      REDIS_URL: gate.url,
      DIAMETER_HOST: '127.0.0.1',
      DIAMETER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const logs: Serving['logs'] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': its last log lines are read by then.
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let pending = '';
    const ports: { diameter?: number; http?: number } = {};
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const entry = JSON.parse(line) as Serving['logs'][number];
        logs.push(entry);
        if (entry.msg === 'diameter listening') ports.diameter = entry.port as number;
        if (entry.msg === 'http listening') ports.http = entry.port as number;
        if (ports.diameter && ports.http) {
          resolve({ child, diameterPort: ports.diameter, httpPort: ports.http, logs, exited });
        }
      }
    });
    void exited.then(({ code }) => reject(new Error(`ocs serve exited ${code} before listening: ${stderr}`)));
  });
}

/**
 * CCR-Is on `peer`, then a DWR: its DWA comes once the server has read every CCR before it,
 * and admitted each (admission is decided as a request is read), so they are all in progress.
 */
async function inProgress(peer: TestPeer, label: string): Promise<Promise<ReceivedAnswer>[]> {
  let n = 0;
  const client = {
    sessionId: () => `pcef.test.example;${label};${++n}`,
    send: (avps: readonly AvpEntry[]) => peer.request(CCR, CREDIT_CONTROL, avps),
  };
  const sessions = Array.from({ length: SESSIONS }, () => new CcSession(client, CONTEXT.data, MSISDN));
  const answers = sessions.map((s) => s.initial([mscc(10, { rsu: [octets(MiB)] })]));
  const dwa = await peer.request(DWR, 0, [
    ['Origin-Host', peer.originHost],
    ['Origin-Realm', peer.originRealm],
  ]);
  expect(dwa.get('Result-Code')).toBe(2001);
  return answers;
}

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

async function openPeer(port: number): Promise<TestPeer> {
  const peer = new TestPeer(port);
  peers.push(peer);
  await peer.open();
  return peer;
}

it('on SIGTERM answers the requests in progress, sends DPR REBOOTING and exits 0 within the bound', async () => {
  const BOUND_MS = 5000;
  const ocs = await serve({ SHUTDOWN_TIMEOUT_MS: String(BOUND_MS) });
  const peer = await openPeer(ocs.diameterPort);
  gate.hold();
  const answers = await inProgress(peer, 'sigterm');

  const signalledAt = Date.now();
  ocs.child.kill('SIGTERM');
  // The drain has begun once the listener refuses; readiness is off by then.
  for (let tries = 0; !(await refusesConnections(ocs.diameterPort)); tries++) {
    expect(tries).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect((await fetch(`http://127.0.0.1:${ocs.httpPort}/readyz`)).status).toBe(503);
  expect(peer.serverRequests.filter((m) => m.commandCode === DPR)).toEqual([]);

  gate.release();
  const { code, signal } = await ocs.exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(Date.now() - signalledAt).toBeLessThan(BOUND_MS);
  const results = (await Promise.all(answers)).map((a) => a.get('Result-Code'));
  expect(results).toEqual(results.map(() => 2001));
  const dprs = peer.serverRequests.filter((m) => m.commandCode === DPR).map((m) => answerView(peer.dict, m));
  expect(dprs.map((d) => d.get('Disconnect-Cause'))).toEqual([0]);
  expect(await peer.whenClosed(1000)).toBe(true);
  expect(ocs.logs.find((l) => l.msg === 'stopped')).toMatchObject({ drained: true });
});

it('past SHUTDOWN_TIMEOUT_MS cuts the requests that cannot finish, logs them, and exits 1', async () => {
  const BOUND_MS = 1500;
  // Redis commands may wait longer than the bound: the relay holds them until the end.
  const ocs = await serve({ SHUTDOWN_TIMEOUT_MS: String(BOUND_MS), REDIS_COMMAND_TIMEOUT_MS: '30000' });
  const peer = await openPeer(ocs.diameterPort);
  gate.hold();
  const answers = await inProgress(peer, 'bound');
  for (const answer of answers) answer.catch(() => undefined);

  const signalledAt = Date.now();
  ocs.child.kill('SIGTERM');
  const { code } = await ocs.exited;
  const took = Date.now() - signalledAt;
  expect(code).toBe(1);
  // The drain waited for them until the bound, less what it keeps for closing HTTP and Redis.
  expect(took).toBeGreaterThan(BOUND_MS * 0.8);
  expect(took).toBeLessThan(BOUND_MS + 1000);
  expect(ocs.logs.find((l) => l.msg === 'shutdown bound reached: connection cut')).toMatchObject({
    originHost: peer.originHost,
    requestsInProgress: SESSIONS,
  });
  expect(await peer.whenClosed(1000)).toBe(true);
});
