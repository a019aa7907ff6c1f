/**
 * A Redis that stops answering under load (`kill -STOP` of its process: a frozen host or a
 * partition looks the same to the server, whose TCP connection stays up). Every CCR is answered
 * 5012 within 2 s and /readyz says 503 within 2 s; after `kill -CONT` service resumes by itself,
 * no charge a client gave up on runs late (no freeze or debit in any ledger after the Redis
 * came back), and once the sessions are closed every account's money is exact.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { chargingSettings } from '../../src/credit-control/settings.js';
import { provision } from '../../src/provisioning/apply.js';
import { startLocalRedis, type LocalRedis } from '../../src/redis/local-redis.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { TEST_PEER_HOST, TestPeer } from '../support/diameter-peer.js';
import {
  CCR,
  CONTEXT,
  CREDIT_CONTROL,
  MiB,
  TARIFFS_YAML,
  ccr,
  mscc,
  octets,
  type RequestTypeName,
} from '../support/ocs-fixture.js';

const DEADLINE_MS = 300;
const WORKERS = 16;
const ACCOUNTS = 8;
const BALANCE = 10_000_000;
const LOAD_BEFORE_MS = 1500;
const STALL_MS = 3000;

interface Outcome {
  type: RequestTypeName;
  sentAt: number;
  answeredAt: number;
  /** 0: no answer within the client's 5 s. */
  code: number;
}

interface ClientSession {
  id: string;
  msisdn: string;
  number: number;
  /** Granted and not yet terminated, as the client sees it. */
  open: boolean;
}

const clock = { ms: Date.now() };
const logs: { msg: string; reason?: string; peer?: string }[] = [];
const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `86137${String(i).padStart(6, '0')}`);
let redis: LocalRedis | undefined;
let server: RunningServer | undefined;
let peer: TestPeer | undefined;

beforeAll(async () => {
  redis = await startLocalRedis({ persistence: 'none' });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as never);
      done();
    },
  });
  const config = loadConfig({
    DIAMETER_HOST: '127.0.0.1',
    DIAMETER_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    REDIS_URL: redis.url,
    REDIS_COMMAND_TIMEOUT_MS: String(DEADLINE_MS),
  });
  server = await startServer(config, {
    supervisionIntervalMs: 0,
    now: () => clock.ms,
    settings: chargingSettings(),
    logger: pino({ level: 'warn' }, sink),
  });
  const deps = {
    redis: server.redis,
    store: server.store,
    catalog: server.catalog,
    sessionKeys: server.sessionKeys,
  };
  await provision(deps, TARIFFS_YAML);
  await provision(
    deps,
    JSON.stringify({ accounts: accounts.map((msisdn) => ({ msisdn, tariff: 'std', balance: BALANCE })) }),
  );
  peer = new TestPeer(server.diameterPort);
  await peer.open();
});

afterAll(async () => {
  // Whatever happened above, the Redis runs again before anything is closed, and is stopped.
  try {
    if (redis) process.kill(redis.pid, 'SIGCONT');
    await peer?.close();
    await server?.close();
  } finally {
    await redis?.stop();
  }
});

const outcomes: Outcome[] = [];
const sessions: ClientSession[] = [];
let serial = 0;

async function send(
  s: ClientSession,
  type: RequestTypeName,
  avps: ReturnType<typeof mscc>[],
): Promise<number> {
  const sentAt = Date.now();
  const message = ccr({
    sessionId: s.id,
    context: CONTEXT.data,
    type,
    number: s.number++,
    msisdn: s.msisdn,
    avps,
  });
  const code = await peer!.request(CCR, CREDIT_CONTROL, message).then(
    (answer) => Number(answer.get('Result-Code')),
    () => 0,
  );
  outcomes.push({ type, sentAt, answeredAt: Date.now(), code });
  return code;
}

function newSession(): ClientSession {
  const msisdn = accounts[serial % ACCOUNTS]!;
  return { id: `${TEST_PEER_HOST};stall;${++serial}`, msisdn, number: 0, open: false };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Data sessions one after another: CCR-I, five granted CCR-Us, CCR-T. A session whose CCR-I
 * failed is given up; an open one goes on through failed CCR-Us, as a client does under
 * Credit-Control-Failure-Handling CONTINUE (RFC 4006 §5.7), so that CCR-Us keep asking for
 * new grants while Redis is frozen. What is open when the load stops is ended afterwards.
 */
async function worker(running: () => boolean): Promise<void> {
  while (running()) {
    const s = newSession();
    const granted = (await send(s, 'initial', [mscc(10, { rsu: [octets(MiB)] })])) === 2001;
    await pause(5 + Math.random() * 20);
    if (!granted) continue;
    s.open = true;
    sessions.push(s);
    for (let ok = 0; ok < 5 && running();) {
      const code = await send(s, 'update', [mscc(10, { rsu: [octets(MiB)], usu: [[octets(300_000)]] })]);
      if (code === 2001) ok++;
      await pause(5 + Math.random() * 20);
    }
    if (!running()) return;
    if ((await send(s, 'termination', [mscc(10, { usu: [[octets(100_000)]] })])) === 2001) s.open = false;
  }
}

async function readyz(): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${server!.httpPort}/readyz`, {
    signal: AbortSignal.timeout(5000),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: Date.now() - started };
}

/** Polls /readyz every 100 ms until it says `status`; how long that took, and the slowest answer. */
async function readyzUntil(status: number, withinMs: number): Promise<{ after: number; slowest: number }> {
  const started = Date.now();
  let slowest = 0;
  while (Date.now() - started < withinMs) {
    const answer = await readyz();
    slowest = Math.max(slowest, answer.ms);
    if (answer.status === status) return { after: Date.now() - started, slowest };
    await pause(100);
  }
  return { after: Infinity, slowest };
}

/** The sum of the samples of `name` whose labels include `labels` (every series starts at 0). */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server!.httpPort}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('Redis frozen under load', () => {
  it('answers every CCR 5012 within 2 s and readiness 503, then resumes with the money exact', async () => {
    let load = true;
    const workers = Array.from({ length: WORKERS }, () => worker(() => load));
    await pause(LOAD_BEFORE_MS);
    expect(outcomes.filter((o) => o.code === 2001).length).toBeGreaterThan(50);

    const stopAt = Date.now();
    process.kill(redis!.pid, 'SIGSTOP');
    const notReady = await readyzUntil(503, 2000);
    expect(notReady.after).toBeLessThanOrEqual(2000);
    expect(notReady.slowest).toBeLessThan(2000);
    await pause(STALL_MS - (Date.now() - stopAt));
    load = false;
    await Promise.all(workers);
    // Every request sent has its deadline behind it before the Redis runs again.
    await pause(DEADLINE_MS + 100);
    const contAt = Date.now();
    process.kill(redis!.pid, 'SIGCONT');

    const unanswered = outcomes.filter((o) => o.code === 0 || o.answeredAt - o.sentAt > 2000);
    expect(unanswered).toEqual([]);
    const duringStall = outcomes.filter((o) => o.sentAt >= stopAt + 50);
    expect(duringStall.length).toBeGreaterThan(50);
    expect(duringStall.filter((o) => o.type === 'update').length).toBeGreaterThan(WORKERS);
    expect(duringStall.filter((o) => o.code !== 5012)).toEqual([]);
    expect(await metric('ocs_charging_store_unavailable_total', { reason: 'timeout' })).toBeGreaterThan(0);
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'credit control failed', reason: 'timeout', peer: TEST_PEER_HOST }),
    );

    // Readiness comes back by itself; the PING answered on the connection means every command
    // queued on it before has run.
    const ready = await readyzUntil(200, 5000);
    expect(ready.after).toBeLessThan(5000);
    for (const msisdn of accounts) {
      const late = (await server!.store.readLedger(msisdn, { count: 100_000 })).filter(
        (e) =>
          Number(e.id.split('-')[0]) >= contAt &&
          (e.op === 'apply' || e.op === 'debit' || (e.op === 'settle' && e.extra.granted !== '0')),
      );
      expect(late, msisdn).toEqual([]);
    }

    // A new session is served again.
    const fresh = newSession();
    const resumedBy = Date.now() + 5000;
    let code = 0;
    while (code !== 2001 && Date.now() < resumedBy) {
      code = await send(fresh, 'initial', [mscc(10, { rsu: [octets(MiB)] })]);
      if (code !== 2001) await pause(200);
    }
    expect(code).toBe(2001);
    expect(await send(fresh, 'termination', [mscc(10, { usu: [[octets(MiB)]] })])).toBe(2001);

    // The client ends what it holds (RFC 4006 §5.7: a failed CCR-U ends in a CCR-T too), then
    // Tcc supervision closes the rest and returns reservations nobody settled.
    for (const s of sessions.filter((x) => x.open)) {
      expect([2001, 5002]).toContain(await send(s, 'termination', [mscc(10, { usu: [[octets(1)]] })]));
    }
    clock.ms += 2 * 3600 * 1000;
    for (let round = 0; round < 20; round++) {
      const { closed, reservationsExpired } = await server!.supervisor.supervise(1000);
      if (closed === 0 && reservationsExpired === 0) break;
    }
    for (const msisdn of accounts) {
      const money = (await server!.store.getAccount(msisdn))!.buckets.money!;
      expect(money.available + money.reserved + money.spent, msisdn).toBe(BALANCE);
      expect(money.reserved, msisdn).toBe(0);
      expect(await server!.store.listReservations(msisdn), msisdn).toEqual([]);
    }
  });
});
