/**
 * Side by side with a peer: the same independent Gy client (gyprobe, on Erlang/OTP's own
 * `diameter` application) runs the same load against `ocs serve` (with its Redis, AOF everysec,
 * exporting as in production) and against gyprobe's bare `gyserver`, which keeps balances in
 * process memory and does no rating. Each round runs both, one after the other, so that the
 * machine's noise falls on both; the figures are CCR/s, the client's latency, and CPU per CCR
 * of the server side (for ocs: the server process plus Redis).
 *
 *   GYPROBE_SRC=DIR npm run bench:peer              # 3 rounds of 6,000 I/U/T sessions, 50 in flight
 *   PEER_ROUNDS=1 PEER_SESSIONS=2000 GYPROBE_SRC=DIR npm run bench:peer
 *   GYPROBE_SRC=DIR                                 # where gyprobe's sources are (its build.sh); required
 *
 * It needs Erlang/OTP (erlang-base erlang-diameter erlang-dev erlang-tools erlang-syntax-tools
 * erlang-crypto) and gyprobe's sources; it is a measurement for people, not part of the tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Redis as RedisClient } from 'ioredis';
import { BalanceStore } from '../../src/balance/index.js';
import { TariffCatalog } from '../../src/catalog/tariffs.js';
import { SessionKeys } from '../../src/credit-control/keys.js';
import { provision } from '../../src/provisioning/apply.js';
import { connectRedis } from '../../src/redis/connect.js';
import { freePort, startLocalRedis } from '../../src/redis/local-redis.js';
import { processCpu, type CpuTime } from '../../src/simulator/cpu.js';
import { ensureBuilt } from '../ocs/build.js';
import { ServerProcess } from '../ocs/server-process.js';
import { sleep } from '../ocs/sleep.js';

const ROUNDS = Number(process.env.PEER_ROUNDS ?? 3);
const SESSIONS = Number(process.env.PEER_SESSIONS ?? 6000);
const CONCURRENCY = Number(process.env.PEER_CONCURRENCY ?? 50);
const ACCOUNTS = 1000;
const FIRST = 46700000001;
const MiB = 1_048_576;

interface Run {
  ccrPerSecond: number;
  p50: number;
  p99: number;
  /** Server-side CPU per CCR, µs: each process named. */
  micros: Record<string, number>;
}

function findGyprobe(): string {
  const dir = process.env.GYPROBE_SRC;
  if (!dir || !existsSync(join(dir, 'build.sh')))
    throw new Error('gyprobe not found: set GYPROBE_SRC to the folder that holds its build.sh');
  return dir;
}

function buildGyprobe(src: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ocs-peer-')), 'gyprobe');
  cpSync(src, dir, { recursive: true });
  const built = spawnSync('./build.sh', { cwd: dir, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`gyprobe build failed:\n${built.stdout}${built.stderr}`);
  return dir;
}

function provisioning(): string {
  const lines = [
    'tariffs:',
    '  - id: peer',
    '    currency: CNY',
    '    data: { ratingGroups: { "10": { unitOctets: 1048576, pricePerUnit: 30 } } }',
    'accounts:',
  ];
  for (let i = 0; i < ACCOUNTS; i++)
    lines.push(`  - { msisdn: "${FIRST + i}", tariff: peer, balance: 1000000000, status: active }`);
  return lines.join('\n');
}

const cpuMs = (t: CpuTime | undefined) => (t ? t.userMs + t.systemMs : NaN);

/** One gyprobe load run against `port`, with the CPU of `pids` measured around it. */
function load(gyprobe: string, port: number, pids: Record<string, number>): Run {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpu(pid)]));
  const out = spawnSync(
    join(gyprobe, 'gyprobe'),
    [
      ...['--host', '127.0.0.1', '--port', String(port), '--dest-realm', 'localdomain', '--timeout', '10000'],
      ...['load', '--sessions', String(SESSIONS), '--concurrency', String(CONCURRENCY)],
      ...['--msisdn', String(FIRST), '--msisdn-count', String(ACCOUNTS)],
      ...['--rg', '10', '--units', 'total-octets', '--request', String(MiB), '--used', String(MiB)],
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  const summary = out.stdout
    .split('\n')
    .filter((line) => line.includes('"summary"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .pop();
  if (!summary) throw new Error(`gyprobe printed no summary:\n${out.stdout}${out.stderr}`);
  if (summary.ok !== true) throw new Error(`gyprobe's load failed: ${JSON.stringify(summary)}`);
  const ccrs = Number(summary.ccr_sent);
  const latency = summary.latency_ms as { p50: number; p99: number };
  const micros: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids))
    micros[name] = ((cpuMs(processCpu(pid)) - cpuMs(before[name])) * 1000) / ccrs;
  return { ccrPerSecond: Number(summary.ccr_per_s), p50: latency.p50, p99: latency.p99, micros };
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function startGyserver(gyprobe: string): Promise<{ port: number; pid: number; stop(): void }> {
  const port = await freePort();
  const child = spawn(join(gyprobe, 'gyserver'), ['--port', String(port), '--origin-host', 'gyserver.test'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100 && !(await listening(port)); i++) await sleep(100);
  return { port, pid: child.pid ?? 0, stop: () => child.kill('SIGKILL') };
}

const f = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits });

function line(label: string, r: Run): string {
  const cpu = Object.entries(r.micros)
    .map(([name, us]) => `${name} ${f(us, 1)} µs`)
    .join(' + ');
  const total = Object.values(r.micros).reduce((a, b) => a + b, 0);
  return (
    `  ${label.padEnd(9)} ${f(r.ccrPerSecond).padStart(6)} CCR/s  p50 ${f(r.p50, 2)} ms  p99 ${f(r.p99, 2)} ms` +
    `  CPU per CCR ${f(total, 1)} µs (${cpu})`
  );
}

async function main(): Promise<void> {
  ensureBuilt();
  const gyprobe = buildGyprobe(findGyprobe());
  const local = await startLocalRedis({ persistence: 'aof' });
  const redis = connectRedis(local.url) as RedisClient;
  let server: ServerProcess | undefined;
  let peer: Awaited<ReturnType<typeof startGyserver>> | undefined;
  try {
    const store = new BalanceStore({ redis });
    await provision(
      { redis, store, catalog: new TariffCatalog(redis), sessionKeys: new SessionKeys() },
      provisioning(),
    );
    server = await ServerProcess.start(local.url);
    peer = await startGyserver(gyprobe);
    console.log(
      `side by side, gyprobe load: ${f(SESSIONS)} data sessions (CCR-I, CCR-U, CCR-T) per run, ` +
        `${CONCURRENCY} in flight, ${f(ACCOUNTS)} accounts; ${ROUNDS} round(s), each ocs then gyserver`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const ocs = load(gyprobe, server.diameterPort, { server: server.pid, redis: local.pid });
      const bare = load(gyprobe, peer.port, { gyserver: peer.pid });
      console.log(`round ${round}`);
      console.log(line('ocs', ocs));
      console.log(line('gyserver', bare));
      const ocsCpu = Object.values(ocs.micros).reduce((a, b) => a + b, 0);
      console.log(
        `  ocs/gyserver: CCR/s x${(ocs.ccrPerSecond / bare.ccrPerSecond).toFixed(2)}, server CPU per CCR ` +
          `x${(ocs.micros.server! / bare.micros.gyserver!).toFixed(2)} (with Redis x${(ocsCpu / bare.micros.gyserver!).toFixed(2)})`,
      );
    }
  } finally {
    peer?.stop();
    await server?.stop();
    redis.disconnect();
    await local.stop();
    rmSync(resolve(gyprobe, '..'), { recursive: true, force: true });
  }
}

await main();
