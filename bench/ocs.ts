/**
 * The whole server, end to end, on this machine: a private Redis (AOF appendfsync everysec, as in
 * production), the server as a child process (`node dist/cli.js serve`, so that its CPU time is
 * its own), and the load simulator in this process, all three sharing the machine's cores. The
 * fixed mix is the busy hour's: 70% data sessions (CCR-I, two CCR-Us, CCR-T), 25% voice calls
 * (CCR-I, CCR-U, CCR-T; 30% of them dial short numbers of a VPN group whose members have a
 * package with free minutes), 5% SMS events. Every answer is checked, and so is the money.
 *
 * Phases: (a) saturation, SESSIONS sessions always in progress: CCR/s; (b) a fixed offered load
 * of 5,000 CCR/s: latency per request type; (c) Redis memory per open session: sessions opened
 * (CCR-I only) and held while INFO memory is read, then terminated; (d) the baseline, measured
 * on the same Redis in the same run: the bare balance-store apply through ioredis, 200 in
 * flight, and redis-benchmark's trivial EVALSHA. Then a table with the targets, and one line for
 * scripts (`bench:ocs ...`). Server CPU per CCR is its user + system time (/proc/PID/stat)
 * over the phase divided by the CCRs it answered in that phase.
 *
 *   npm run bench                         # full: 25 s phases, a few minutes
 *   BENCH_SIZE=small npm run bench        # under a minute, for CI
 *   BENCH_SOAK_MINUTES=10 npm run bench   # also a soak at half the saturation rate: the server's RSS trend
 *   BENCH_PROFILE=1 npm run bench         # the server runs with --cpu-prof; its hot spots are printed
 *
 * Ctrl-C stops the phase in progress and everything the benchmark started.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis as RedisClient } from 'ioredis';
import { BalanceStore, type Tier } from '../src/balance/index.js';
import { TariffCatalog } from '../src/catalog/tariffs.js';
import { SessionKeys } from '../src/credit-control/keys.js';
import { defaultDictionary } from '../src/diameter/dictionary.js';
import { provision, type ProvisioningDeps } from '../src/provisioning/apply.js';
import { connectRedis } from '../src/redis/connect.js';
import { findRedisServer, freePort, startLocalRedis, type LocalRedis } from '../src/redis/local-redis.js';
import { AnswerInfo, MAX_MSCC, readAnswer } from '../src/simulator/answers.js';
import { DiameterClient } from '../src/simulator/client.js';
import { accountNumbers, provisionScenario } from '../src/simulator/provision.js';
import { CcrWriter } from '../src/simulator/requests.js';
import type { Progress } from '../src/simulator/runner.js';
import { numberAt, parseScenario, type AccountsSpec, type Scenario } from '../src/simulator/scenario.js';
import { Simulation } from '../src/simulator/simulation.js';
import type { Report } from '../src/simulator/stats.js';
import { freeLevelBucket } from '../src/vpn/model.js';

const small = process.env.BENCH_SIZE === 'small';
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? (small ? 4 : 25));
const WARMUP_SECONDS = small ? 2 : 5;
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);
const FIXED_RATE = Number(process.env.BENCH_RATE ?? 5000);
const ACCOUNTS = small ? 2000 : 10_000;
const MEMBERS = small ? 500 : 1000;
const MEMORY_SESSIONS = small ? 2000 : 20_000;
const STORE_CALLS = small ? 10_000 : 100_000;
const STORE_ROUNDS = 3;
const STORE_IN_FLIGHT = 200;
const BENCHMARK_REQUESTS = small ? 50_000 : 500_000;
const SOAK_MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 0);
const SOAK_SAMPLE_SECONDS = 2;
const SOAK_PRINT_SECONDS = 10;
/** CCR/s of the soak; default: half of what phase (a) measured, a load the server sustains. */
const SOAK_RATE = Number(process.env.BENCH_SOAK_RATE ?? 0);
const PROFILE = process.env.BENCH_PROFILE === '1';

const TARGET = {
  cpuMicros: 40,
  ccrPerSecond: 12_000,
  p99Ms: 2,
  redisBytesPerSession: 1024,
  /** "Flat": the trend of the lowest RSS of each minute of the soak (after the first), MiB per minute. */
  rssMiBPerMinute: 1,
};

/** Node flags of the server, as the Docker image sets them (Dockerfile, NODE_OPTIONS). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const MiB = 1_048_576;

const DATA_FIRST = '8613750000000';
const MEMBER_FIRST = '8613760000000';
const VPN_PACKAGE = 'bench-vpn';
const VOICE_PRICE = 15;

class Interrupted extends Error {}

// ---------------------------------------------------------------- the scenario and its data

/** The busy-hour mix over this benchmark's accounts; mode and stop are set per phase. */
function scenario(port: number, mode: object, seconds: number): Scenario {
  const shortNumbers = Array.from({ length: 101 }, (_, i) => String(1000 + ((i * 7) % MEMBERS)));
  return parseScenario(
    JSON.stringify({
      name: 'bench',
      peers: { count: 4, originHost: 'pgw{n}.bench.example', server: { host: '127.0.0.1', port } },
      mode,
      stop: { duration: seconds, drainSeconds: 10 },
      msisdn: { first: DATA_FIRST, count: ACCOUNTS },
      mix: [
        {
          kind: 'data',
          weight: 70,
          ratingGroups: [10],
          updates: 2,
          requestedOctets: MiB,
          usedOctets: MiB,
        },
        {
          kind: 'voice',
          weight: 25,
          callSeconds: 90,
          chunkSeconds: 60,
          calling: { first: MEMBER_FIRST, count: MEMBERS },
          called: { first: DATA_FIRST, count: ACCOUNTS },
          vpn: { shortNumbers, share: 0.3 },
        },
        { kind: 'sms', weight: 5 },
      ],
      provision: {
        tariff: {
          id: 'bench',
          currency: 'CNY',
          voice: { unitSeconds: 60, pricePerUnit: VOICE_PRICE },
          sms: { pricePerMessage: 10 },
          data: { ratingGroups: { '10': { unitOctets: MiB, pricePerUnit: 30 } } },
        },
        accounts: [
          { first: DATA_FIRST, count: ACCOUNTS, balance: 1_000_000_000_000 },
          { first: MEMBER_FIRST, count: MEMBERS, balance: 1_000_000_000_000 },
        ],
      },
    }),
    'bench',
  );
}

/** The VPN group of the callers, and a package whose free minutes outlast any run. */
function vpnDocument(): string {
  const members = Array.from({ length: MEMBERS }, (_, i) => numberAt({ first: MEMBER_FIRST, count: 1 }, i));
  return JSON.stringify({
    vpn: {
      groups: [
        {
          id: 'BENCH',
          name: 'Benchmark group',
          extensionLength: 4,
          maxMembers: 9000,
          members: members.map((msisdn, i) => ({
            msisdn,
            shortNumber: String(1000 + i),
            identity: 'belongs',
          })),
        },
      ],
      packages: [
        {
          id: VPN_PACKAGE,
          monthlyFee: 0,
          items: ['intra-group-voice'],
          levels: [
            { type: 'free', creditSeconds: 100_000_000_000, unitSeconds: 60 },
            { type: 'payment', unitSeconds: 60, pricePerUnit: 5 },
          ],
        },
      ],
      activations: members.map((msisdn) => ({ msisdn, package: VPN_PACKAGE, when: 'immediate' })),
    },
  });
}

interface Balances {
  available: number;
  reserved: number;
  spent: number;
  /** Seconds taken from the package's free level. */
  freeSeconds: number;
}

async function balances(store: BalanceStore, ranges: readonly AccountsSpec[]): Promise<Balances> {
  const numbers = accountNumbers(ranges);
  const free = freeLevelBucket(VPN_PACKAGE, 0);
  const total: Balances = { available: 0, reserved: 0, spent: 0, freeSeconds: 0 };
  const worker = async () => {
    for (let n = numbers.next(); !n.done; n = numbers.next()) {
      const account = await store.getAccount(n.value);
      const money = account?.buckets.money;
      if (money) {
        total.available += money.available;
        total.reserved += money.reserved;
        total.spent += money.spent;
      }
      total.freeSeconds += account?.buckets[free]?.spent ?? 0;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return total;
}

/**
 * The money check of a phase: money spent is what the tariff gives for the usage accepted
 * outside VPN calls, VPN calls took exactly their minutes from the free level, nothing stays
 * reserved, and no money appeared or vanished.
 */
function moneyProblems(report: Report, before: Balances, after: Balances): string[] {
  const problems: string[] = [];
  const expected = report.money?.expected ?? 0;
  const vpnSeconds = ((report.money?.expectedVpn ?? 0) / VOICE_PRICE) * 60;
  const spent = after.spent - before.spent;
  const reserved = after.reserved - before.reserved;
  const total =
    after.available + after.reserved + after.spent - (before.available + before.reserved + before.spent);
  const free = after.freeSeconds - before.freeSeconds;
  if (spent !== expected) problems.push(`money spent ${spent}, the tariff gives ${expected}`);
  if (free !== vpnSeconds)
    problems.push(`free seconds taken ${free}, the VPN calls accepted used ${vpnSeconds}`);
  if (reserved !== 0) problems.push(`money reserved changed by ${reserved}`);
  if (total !== 0) problems.push(`money in total changed by ${total}`);
  return problems;
}

// ---------------------------------------------------------------- processes

function redisInfo(info: string, field: string): number {
  return Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
}

/** Calls and microseconds inside each Redis command so far (INFO commandstats). */
async function commandStats(redis: RedisClient): Promise<Map<string, { calls: number; usec: number }>> {
  const info = await redis.info('commandstats');
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

/**
 * Where Redis spent its time between two commandstats readings, per CCR answered. A script's
 * time includes that of the commands it runs, which are counted under their own names too.
 */
function commandsPerCcr(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  ccrs: number,
): string {
  const rows: [string, number, number][] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    if (a.calls > b.calls && name !== 'info')
      rows.push([name, (a.calls - b.calls) / ccrs, (a.usec - b.usec) / ccrs]);
  }
  rows.sort((x, y) => y[2] - x[2]);
  return rows
    .slice(0, 8)
    .map(([name, calls, usec]) => `${name} ${calls.toFixed(2)} x ${usec.toFixed(1)} µs`)
    .join(', ');
}

async function usedMemory(redis: RedisClient): Promise<number> {
  return redisInfo(await redis.info('memory'), 'used_memory');
}

/**
 * Memory that holds data: used_memory without the transient buffers it also counts (the AOF
 * buffer and a running AOF rewrite's, replication buffers, clients' query and output buffers),
 * read once no AOF rewrite is running. Those buffers follow the write rate, not what is stored,
 * and made the figure jump by hundreds of bytes per session between runs.
 */
async function dataMemory(redis: RedisClient): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 200) {
    if (redisInfo(await redis.info('persistence'), 'aof_rewrite_in_progress') === 0) break;
    await sleep(200);
  }
  const info = await redis.info('memory');
  return (
    redisInfo(info, 'used_memory') -
    redisInfo(info, 'mem_not_counted_for_evict') -
    redisInfo(info, 'mem_clients_normal')
  );
}

function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/ (`npm run bench` builds first anyway). */
function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
  console.log('dist/ is missing or older than src/: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}

/** The server as a child process, its output kept (LOG_LEVEL=warn: every line is a warning). */
class ServerProcess {
  readonly output: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly diameterPort: number,
    readonly httpPort: number,
    readonly profileDir: string | undefined,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.output.push(line);
      if (this.output.length > 1000) this.output.splice(0, this.output.length - 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(redisUrl: string): Promise<ServerProcess> {
    const diameterPort = await freePort();
    const httpPort = await freePort();
    const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'ocs-bench-prof-')) : undefined;
    const nodeArgs = [
      ...SERVER_NODE_FLAGS,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ];
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        DIAMETER_HOST: '127.0.0.1',
        DIAMETER_PORT: String(diameterPort),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, diameterPort, httpPort, profileDir);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!server.running)
        throw new Error(`the server exited at start:\n${server.output.slice(-20).join('\n')}`);
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return server;
      if (Date.now() > deadline) throw new Error('the server was not ready within 30 s');
      await sleep(100);
    }
  }

  /** The heap the server uses, from its /metrics (prom-client's default metrics). */
  /** The old generation's used bytes: what stays after scavenges, where a leak accumulates. */
  async oldSpaceUsed(): Promise<number> {
    const text = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    return Number(/^nodejs_heap_space_size_used_bytes\{space="old"\} (\S+)/m.exec(text)?.[1] ?? NaN);
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} failed: ${err.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

// ---------------------------------------------------------------- phases

const state: {
  interrupted: boolean;
  simulation: Simulation | undefined;
} = { interrupted: false, simulation: undefined };

function checkInterrupted(): void {
  if (state.interrupted) throw new Interrupted('interrupted');
}

function progressLine(label: string, p: Progress): string {
  return (
    `  ${label}: ${p.seconds.toFixed(0).padStart(3)} s ${p.perSecond.toFixed(0).padStart(7)} CCR/s` +
    `  in flight ${String(p.inFlight).padStart(5)}  answered ${p.answered}  errors ${p.errors}` +
    (p.phase === 'running' ? '' : ` (${p.phase})`)
  );
}

interface Phase {
  report: Report;
  /** Server CPU per CCR answered in the phase (µs), and Redis's. */
  serverMicros: number;
  redisMicros: number;
  /** Where Redis's time went, per CCR (INFO commandstats). */
  redisCommands: string;
  problems: string[];
}

/** One simulator run against the server, with the money check around it. */
async function simulate(
  label: string,
  s: Scenario,
  pids: { server: number; redis: number },
  redis: RedisClient,
  store: BalanceStore | undefined,
): Promise<Phase> {
  checkInterrupted();
  const ranges = s.provision?.accounts ?? [];
  const before = store ? await balances(store, ranges) : undefined;
  const stats = await commandStats(redis);
  const tty = process.stdout.isTTY === true;
  const simulation = new Simulation(s, {
    serverPids: [pids.server, pids.redis],
    onProgress: (p) => {
      if (tty) process.stdout.write(`\r${progressLine(label, p)}\x1b[K`);
    },
  });
  state.simulation = simulation;
  const report = await simulation.run();
  state.simulation = undefined;
  const redisCommands = commandsPerCcr(stats, await commandStats(redis), report.ccr.answered);
  if (tty) process.stdout.write('\r\x1b[K');
  checkInterrupted();
  const problems: string[] = [];
  if (!report.ok) {
    problems.push(...report.warnings);
    for (const u of report.unexpected)
      problems.push(
        `${u.request} ${u.level === 'mscc' ? 'MSCC ' : ''}${u.resultCode} x ${u.count}: ${u.errorMessage ?? u.exampleSessionId}`,
      );
    if (report.ccr.timedOut) problems.push(`${report.ccr.timedOut} CCRs timed out`);
  }
  if (store && before) {
    // A session cut short keeps its reservation, and usage in an answer that came too late is
    // charged by the server but not counted here: the money cannot be compared then.
    if (report.sessions.total.aborted > 0)
      problems.push(`${report.sessions.total.aborted} sessions were cut short: the money is not checked`);
    else problems.push(...moneyProblems(report, before, await balances(store, ranges)));
  }
  const [server, redisCpu] = report.cpu.processes;
  return {
    report,
    serverMicros: server?.pid === pids.server ? server.microsPerCcr : NaN,
    redisMicros: redisCpu?.pid === pids.redis ? redisCpu.microsPerCcr : NaN,
    redisCommands,
    problems,
  };
}

/** Redis memory per open session: sessions opened with a CCR-I and held, then terminated. */
async function memoryPerSession(port: number, redis: RedisClient, count: number) {
  const dict = defaultDictionary();
  const client = new DiameterClient(port, dict);
  client.originHost = 'mem.bench.example';
  client.originRealm = 'bench.example';
  await client.open();
  const writer = new CcrWriter(dict, {
    originHost: client.originHost,
    originRealm: client.originRealm,
    destinationRealm: 'localdomain',
  });
  const info = new AnswerInfo();
  const waiting = new Map<number, (code: number) => void>();
  client.onAnswerFrame = (frame) => {
    readAnswer(frame, info);
    let code = info.resultCode;
    for (let i = 0; i < Math.min(info.msccCount, MAX_MSCC); i++)
      if (info.msccResultCode[i] && info.msccResultCode[i] !== 2001) code = info.msccResultCode[i]!;
    waiting.get(info.hopByHop)?.(code);
    waiting.delete(info.hopByHop);
  };
  const refusals = new Map<number, number>();
  /** Sends `n` requests, 200 in flight; every answer must be 2001. */
  const sendAll = async (n: number, write: (i: number, hop: number) => Buffer) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < n) {
          const i = next++;
          const hop = client.nextHopByHop();
          const code = await new Promise<number>((resolve) => {
            waiting.set(hop, resolve);
            client.write(write(i, hop));
          });
          if (code !== 2001) refusals.set(code, (refusals.get(code) ?? 0) + 1);
        }
      }),
    );
  };
  const data = Math.round((count * 70) / 95);
  const voice = count - data;
  const tag = Date.now().toString(36);
  const sid = (i: number) => `mem.bench.example;${tag};${i}`;
  const dataMsisdn = (i: number) => numberAt({ first: DATA_FIRST, count: ACCOUNTS }, i % ACCOUNTS);
  const caller = (i: number) => numberAt({ first: MEMBER_FIRST, count: MEMBERS }, i % MEMBERS);
  const called = (i: number) => `tel:+${dataMsisdn(i)}`;
  const settle = async () => {
    await sleep(300);
    return dataMemory(redis);
  };
  try {
    const m0 = await settle();
    const kinds0 = await memoryByKind(redis);
    await sendAll(data, (i, hop) =>
      writer
        .begin(hop, sid(i), 'data', 1, 0, dataMsisdn(i))
        .multipleServicesIndicator()
        .mscc('data', 10, MiB, -1)
        .finish(),
    );
    const m1 = await settle();
    await sendAll(voice, (i, hop) =>
      writer
        .begin(hop, sid(data + i), 'voice', 1, 0, caller(i))
        .mscc('voice', 100, 60, -1)
        .ims(`tel:+${caller(i)}`, called(i))
        .finish(),
    );
    const m2 = await settle();
    const breakdown = await memoryByKind(redis);
    for (const [kind, before] of kinds0) {
      const after = breakdown.get(kind) ?? { keys: 0, bytes: 0 };
      breakdown.set(kind, { keys: after.keys - before.keys, bytes: after.bytes - before.bytes });
    }
    await sendAll(data, (i, hop) =>
      writer.begin(hop, sid(i), 'data', 3, 1, dataMsisdn(i)).mscc('data', 10, -1, 1000).finish(),
    );
    await sendAll(voice, (i, hop) =>
      writer
        .begin(hop, sid(data + i), 'voice', 3, 1, caller(i))
        .mscc('voice', 100, -1, 30)
        .ims(`tel:+${caller(i)}`, called(i))
        .finish(),
    );
    const m3 = await settle();
    return {
      count,
      data: (m1 - m0) / data,
      voice: (m2 - m1) / voice,
      open: (m2 - m0) / count,
      afterTermination: (m3 - m0) / count,
      breakdown,
      refusals,
    };
  } finally {
    client.onAnswerFrame = undefined;
    await client.disconnect().catch(() => client.close());
  }
}

/**
 * Where Redis memory goes, by kind of key (the text before its first ':' or '{'): MEMORY USAGE
 * of every key, summed per kind, with the entries of the shared sorted sets counted too.
 */
async function memoryByKind(redis: RedisClient): Promise<Map<string, { keys: number; bytes: number }>> {
  const kinds = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const kind = /^[^:{]*/.exec(key)![0] || key;
      const entry = kinds.get(kind) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += Number(sizes[i]?.[1] ?? 0);
      kinds.set(kind, entry);
    });
  } while (cursor !== '0');
  return kinds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The bare balance-store apply (index ZADD + script) through ioredis, 200 in flight. */
async function storeApplyRate(redis: RedisClient): Promise<number> {
  const store = new BalanceStore({ redis, keyPrefix: 'bench-store:' });
  const tiers: Tier[] = [
    { bucket: 'vpn:vpn-300:free-seconds', unitSize: 60, pricePerUnit: 60 },
    { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
  ];
  const accounts = 1000;
  const msisdn = (i: number) => `86139${String(i % accounts).padStart(8, '0')}`;
  await Promise.all(
    Array.from({ length: accounts }, (_, i) =>
      store.upsertAccount({
        msisdn: msisdn(i),
        buckets: { money: 900_000_000_000, 'vpn:vpn-300:free-seconds': 18_000 },
      }),
    ),
  );
  const now = Date.now();
  const measure = async (tag: string, calls: number) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: STORE_IN_FLIGHT }, async () => {
        while (next < calls) {
          const i = next++;
          await store.apply({
            opId: `${tag}${i}#0#apply`,
            msisdn: msisdn(i),
            sessionId: `${tag}${i}`,
            ratingGroup: 0,
            tiers,
            units: 120,
            nowMs: now + i,
            expiresAtMs: now + 3_600_000,
          });
        }
      }),
    );
    return calls / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  await measure('w', STORE_CALLS / 5);
  const rates: number[] = [];
  for (let round = 0; round < STORE_ROUNDS; round++) {
    checkInterrupted();
    rates.push(await measure(`r${round}s`, STORE_CALLS));
  }
  return median(rates);
}

async function trivialEvalsha(redis: RedisClient, port: number): Promise<number> {
  const sha = (await redis.script('LOAD', 'return 1')) as string;
  const binary = findRedisServer()?.replace(/redis-server$/, 'redis-benchmark') ?? 'redis-benchmark';
  const out = await run(binary, [
    '-p',
    String(port),
    '-n',
    String(BENCHMARK_REQUESTS),
    '-c',
    '50',
    '-q',
    'EVALSHA',
    sha,
    '0',
  ]);
  const rate = Number([...out.matchAll(/([\d.]+) requests per second/g)].at(-1)?.[1]);
  if (!Number.isFinite(rate)) throw new Error(`cannot read redis-benchmark's output: ${out}`);
  return rate;
}

/** Least-squares slope of (seconds, value) samples, per minute. */
function slopePerMinute(samples: [number, number][]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mx = samples.reduce((s, [x]) => s + x, 0) / n;
  const my = samples.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of samples) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den > 0 ? (num / den) * 60 : NaN;
}

// ---------------------------------------------------------------- the CPU profile

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** The server's hottest functions by self time, from its .cpuprofile. */
function profileSummary(dir: string): string[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return [`no .cpuprofile was written in ${dir}`];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits || node.callFrame.functionName === '(idle)') continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + hits);
    const place = url.includes('/node_modules/')
      ? `node_modules/${url.split('/node_modules/')[1]!.split('/')[0]!}`
      : url.includes('/dist/')
        ? `dist/${url.split('/dist/')[1]!.split('/')[0]!}`
        : url
          ? url.startsWith('node:')
            ? 'node internals'
            : basename(url)
          : functionName || '(native)';
    byFile.set(place, (byFile.get(place) ?? 0) + hits);
  }
  const pct = (n: number) => `${((n * 100) / total).toFixed(1).padStart(5)}%`;
  const lines = [`CPU profile of the server (${join(dir, file)}), self time of the busy time:`];
  lines.push('  by place:');
  for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12))
    lines.push(`    ${pct(v)}  ${k}`);
  lines.push('  by function:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`    ${pct(v)}  ${k}`);
  return lines;
}

// ---------------------------------------------------------------- the run

function num(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
}

async function main(): Promise<number> {
  ensureBuilt();
  let local: LocalRedis | undefined;
  let server: ServerProcess | undefined;
  let redis: RedisClient | undefined;
  const onSignal = () => {
    if (!state.interrupted)
      console.log('\nstopping: the phase in progress ends, then everything started stops');
    state.interrupted = true;
    state.simulation?.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    local = await startLocalRedis({ persistence: 'aof' });
    redis = connectRedis(local.url) as RedisClient;
    const redisVersion = (await redis.info('server')).match(/^redis_version:(\S+)/m)?.[1] ?? '?';
    const deps: ProvisioningDeps = {
      redis,
      store: new BalanceStore({ redis }),
      catalog: new TariffCatalog(redis),
      sessionKeys: new SessionKeys(),
    };
    const base = scenario(1, { type: 'concurrency', sessions: 1 }, 1);
    const t0 = Date.now();
    await provisionScenario(deps, base);
    await provision(deps, vpnDocument());
    const provisionSeconds = (Date.now() - t0) / 1000;
    checkInterrupted();

    server = await ServerProcess.start(local.url);
    const pids = { server: server.pid, redis: local.pid };
    const port = server.diameterPort;
    console.log(
      `ocs benchmark (${small ? 'small' : 'full'}): ${cpus().length} CPUs, Node ${process.version}, Redis ${redisVersion} ` +
        `AOF everysec (pid ${local.pid}), server \`node ${SERVER_NODE_FLAGS.join(' ')} dist/cli.js serve\` (pid ${server.pid})${PROFILE ? ' with --cpu-prof' : ''}`,
    );
    console.log(
      `  mix: 70% data I/U/U/T, 25% voice I/U/T (30% of calls to VPN short numbers), 5% SMS events; ` +
        `${num(ACCOUNTS)} accounts + ${num(MEMBERS)} VPN members, provisioned in ${provisionSeconds.toFixed(1)} s`,
    );

    // Warm-up: the server's code gets compiled, Redis's scripts loaded.
    await simulate(
      'warm-up',
      scenario(port, { type: 'concurrency', sessions: SESSIONS }, WARMUP_SECONDS),
      pids,
      redis,
      undefined,
    );

    const sat = await simulate(
      'saturation',
      scenario(port, { type: 'concurrency', sessions: SESSIONS }, PHASE_SECONDS),
      pids,
      redis,
      deps.store,
    );
    const r = sat.report;
    console.log(
      `  (a) saturation, ${SESSIONS} sessions in progress, ${PHASE_SECONDS} s: ${num(r.ccr.perSecond)} CCR/s, ` +
        `${num(r.ccr.answered)} answered${r.ccr.busy ? ` (${num(r.ccr.busy)} answered 3004 first and sent again)` : ''}, ` +
        `p50 ${r.latencyMs.all?.p50} ms, p99 ${r.latencyMs.all?.p99} ms; ` +
        `CPU per CCR: server ${num(sat.serverMicros, 1)} µs, Redis ${num(sat.redisMicros, 1)} µs, ` +
        `simulator ${num(r.cpu.simulator.microsPerCcr, 1)} µs`,
    );
    console.log(
      `      Redis time per CCR inside commands (a script's includes the commands it runs): ${sat.redisCommands}`,
    );

    const fixed = await simulate(
      'fixed rate',
      scenario(port, { type: 'rate', ccrPerSecond: FIXED_RATE, rampSeconds: 1 }, PHASE_SECONDS),
      pids,
      redis,
      deps.store,
    );
    const f = fixed.report;
    console.log(
      `  (b) fixed rate ${num(FIXED_RATE)} CCR/s offered, ${PHASE_SECONDS} s: ${num(f.ccr.perSecond)} CCR/s answered` +
        `${f.ccr.missed ? ` (${num(f.ccr.missed)} due were not sent)` : ''}` +
        `${f.ccr.busy ? ` (${num(f.ccr.busy)} answered 3004, too busy, and sent again)` : ''}; ` +
        `CPU per CCR: server ${num(fixed.serverMicros, 1)} µs, Redis ${num(fixed.redisMicros, 1)} µs, ` +
        `simulator ${num(f.cpu.simulator.microsPerCcr, 1)} µs`,
    );
    console.log(
      `      latency ms  ${'count'.padStart(9)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'p99.9'.padStart(7)} ${'max'.padStart(7)}`,
    );
    for (const [label, l] of Object.entries(f.latencyMs)) {
      console.log(
        `      ${label.padEnd(10)} ${num(l.count).padStart(9)} ${[l.p50, l.p90, l.p99, l.p999, l.max]
          .map((v) => v.toFixed(3).padStart(7))
          .join(' ')}`,
      );
    }
    for (const [name, phase] of [
      ['saturation', sat],
      ['fixed rate', fixed],
    ] as const) {
      if (phase.problems.length)
        console.log(`  ${name}: answers or money NOT as expected:\n    ${phase.problems.join('\n    ')}`);
      else
        console.log(
          `  ${name}: every answer as expected; money consistent (tariff, free minutes, reservations)`,
        );
    }

    checkInterrupted();
    const memory = await memoryPerSession(port, redis, MEMORY_SESSIONS);
    console.log(
      `  (c) Redis memory, ${num(memory.count)} sessions opened (CCR-I) and held: ${num(memory.open)} bytes per open session ` +
        `(data ${num(memory.data)}, voice ${num(memory.voice)}); after their CCR-T, ${num(memory.afterTermination)} bytes ` +
        `per session stay (operation ids and session records kept for retransmissions, ledger, CDR)` +
        (memory.refusals.size
          ? `; refusals: ${[...memory.refusals].map(([c, n]) => `${c} x ${n}`).join(', ')}`
          : ''),
    );
    console.log(
      `      growth by kind of key (new keys), per open session: ${[...memory.breakdown]
        .filter(([, k]) => k.bytes !== 0)
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .map(([kind, k]) => `${kind} ${num(k.bytes / memory.count)} B (${num(k.keys)} keys)`)
        .join(', ')}`,
    );

    checkInterrupted();
    const applyRate = await storeApplyRate(redis);
    const trivial = await trivialEvalsha(redis, local.port);
    const ratio = r.ccr.perSecond / applyRate;
    console.log(
      `  (d) baseline on the same Redis: balance-store apply through ioredis, ${STORE_IN_FLIGHT} in flight: ` +
        `${num(applyRate)} calls/s (median of ${STORE_ROUNDS}); redis-benchmark EVALSHA 'return 1', 50 clients: ` +
        `${num(trivial)}/s; server CCR/s over apply calls/s: ${ratio.toFixed(3)}`,
    );

    let soak: { rssSlope: number; heapSlope: number; redisSlope: number; lines: string[] } | undefined;
    if (SOAK_MINUTES > 0) {
      checkInterrupted();
      const rate = SOAK_RATE > 0 ? SOAK_RATE : Math.max(100, Math.round(r.ccr.perSecond / 200) * 100);
      soak = await runSoak(port, pids, server, redis, rate);
      for (const line of soak.lines) console.log(line);
    }

    const all = f.latencyMs.all;
    const p50 = all?.p50 ?? NaN;
    const p99 = all?.p99 ?? NaN;
    const checked = sat.problems.length === 0 && fixed.problems.length === 0 && memory.refusals.size === 0;
    const rows: [string, string, string, boolean][] = [
      [
        'server CPU per CCR (saturation)',
        `${num(sat.serverMicros, 1)} µs`,
        `<= ${TARGET.cpuMicros} µs`,
        sat.serverMicros <= TARGET.cpuMicros,
      ],
      [
        'server CPU per CCR (5,000 CCR/s)',
        `${num(fixed.serverMicros, 1)} µs`,
        `<= ${TARGET.cpuMicros} µs`,
        fixed.serverMicros <= TARGET.cpuMicros,
      ],
      [
        'CCR/s at saturation',
        num(r.ccr.perSecond),
        `>= ${num(TARGET.ccrPerSecond)}`,
        r.ccr.perSecond >= TARGET.ccrPerSecond,
      ],
      ['every answer checked', checked ? 'as expected' : 'NOT as expected', 'all', checked],
      ['p99 at 5,000 CCR/s offered', `${p99.toFixed(3)} ms`, `<= ${TARGET.p99Ms} ms`, p99 <= TARGET.p99Ms],
      [
        'Redis memory per open session',
        `${num(memory.open)} B`,
        `<= ${num(TARGET.redisBytesPerSession)} B`,
        memory.open <= TARGET.redisBytesPerSession,
      ],
    ];
    if (soak)
      rows.push([
        `server RSS floor over a ${SOAK_MINUTES}-min soak`,
        `${soak.rssSlope.toFixed(2)} MiB/min`,
        `flat (<= ${TARGET.rssMiBPerMinute} MiB/min)`,
        soak.rssSlope <= TARGET.rssMiBPerMinute,
      ]);
    console.log('');
    console.log(`  ${'figure'.padEnd(36)} ${'measured'.padStart(16)}   ${'target'.padEnd(26)} result`);
    for (const [what, value, target, pass] of rows) {
      const miss = pass ? '' : missedBy(what, value, target);
      console.log(
        `  ${what.padEnd(36)} ${value.padStart(16)}   ${target.padEnd(26)} ${pass ? 'PASS' : `MISS${miss}`}`,
      );
    }
    const warnings = server.output.length;
    if (warnings)
      console.log(
        `  the server logged ${warnings} line(s) at warn or above, the first: ${server.output[0]!.slice(0, 300)}`,
      );
    console.log(
      `bench:ocs ccr_per_s=${Math.round(r.ccr.perSecond)} p50_ms=${p50} p99_ms=${p99} ` +
        `server_cpu_us_per_ccr=${sat.serverMicros} server_cpu_us_per_ccr_5k=${fixed.serverMicros} ` +
        `redis_cpu_us_per_ccr=${sat.redisMicros} redis_bytes_per_session=${Math.round(memory.open)} ` +
        `store_apply_per_s=${Math.round(applyRate)} evalsha_trivial_per_s=${Math.round(trivial)} ratio=${ratio.toFixed(3)} ` +
        `checked=${checked ? 'ok' : 'failed'}` +
        (soak ? ` rss_mib_per_min=${soak.rssSlope.toFixed(2)}` : '') +
        ` size=${small ? 'small' : 'full'}`,
    );
    await server.stop();
    if (server.profileDir) for (const line of profileSummary(server.profileDir)) console.log(line);
    return checked ? 0 : 1;
  } catch (err) {
    if (err instanceof Interrupted) {
      console.log('interrupted: nothing measured is printed');
      return 130;
    }
    if (server && !server.running)
      console.error(
        `the server exited during the run; its last lines:\n${server.output.slice(-20).join('\n')}`,
      );
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server?.stop();
    redis?.disconnect();
    await local?.stop();
  }
}

function missedBy(what: string, value: string, target: string): string {
  const v = Number(value.replace(/[^\d.]/g, ''));
  const t = Number(target.replace(/[^\d.]/g, ''));
  if (!Number.isFinite(v) || !Number.isFinite(t) || t === 0) return '';
  const ratio = what.startsWith('CCR/s') ? t / v : v / t;
  return ` (x${ratio.toFixed(2)})`;
}

/** A long run at a steady rate; the server's RSS and heap and Redis's memory every 10 s. */
async function runSoak(
  port: number,
  pids: { server: number; redis: number },
  server: ServerProcess,
  redis: RedisClient,
  rate: number,
) {
  const samples: { t: number; rss: number; heap: number; redis: number }[] = [];
  const start = Date.now();
  const sample = async () => {
    samples.push({
      t: (Date.now() - start) / 1000,
      rss: rssBytes(pids.server),
      heap: await server.oldSpaceUsed(),
      redis: await usedMemory(redis),
    });
  };
  await sample();
  const timer = setInterval(() => void sample(), SOAK_SAMPLE_SECONDS * 1000);
  let phase: Phase;
  try {
    phase = await simulate(
      'soak',
      scenario(port, { type: 'rate', ccrPerSecond: rate, rampSeconds: 1 }, SOAK_MINUTES * 60),
      pids,
      redis,
      undefined,
    );
  } finally {
    clearInterval(timer);
  }
  await sample();
  // V8 lets the old generation grow before a major collection, and the young one holds up to
  // 128 MiB between scavenges: single samples swing by 100 MiB and more. A leak shows as a
  // rising floor, so the verdict is on the trend of each minute's lowest RSS (of 30 samples);
  // the plain least-squares trend of every sample is printed beside it.
  const settled = samples.filter((s) => s.t >= 60);
  const raw = (pick: (s: (typeof samples)[number]) => number) =>
    slopePerMinute(settled.map((s) => [s.t, pick(s) / MiB]));
  const minutes = new Map<number, (typeof samples)[number][]>();
  for (const s of samples) {
    const m = Math.min(Math.floor(s.t / 60), Math.ceil(SOAK_MINUTES) - 1);
    minutes.set(m, [...(minutes.get(m) ?? []), s]);
  }
  const floor = (pick: (s: (typeof samples)[number]) => number) =>
    slopePerMinute(
      [...minutes]
        .filter(([m]) => m >= 1)
        .map(([m, ss]) => [m * 60, Math.min(...ss.map(pick)) / MiB] as [number, number]),
    );
  const rssSlope = floor((s) => s.rss);
  const heapSlope = floor((s) => s.heap);
  const redisSlope = raw((s) => s.redis);
  const mib = (n: number) => num(n / MiB, 0);
  const lines = [
    `  soak, ${num(rate)} CCR/s offered for ${SOAK_MINUTES} min: ${num(phase.report.ccr.answered)} answered at ${num(phase.report.ccr.perSecond)} CCR/s` +
      `${phase.problems.length ? `, NOT as expected: ${phase.problems.slice(0, 3).join('; ')}` : ', every answer as expected'}; ` +
      `server CPU ${num(phase.serverMicros, 1)} µs per CCR`,
    `      minute  server RSS MiB (low-high)  old generation MiB (low-high)  Redis used MiB (end)`,
  ];
  for (const [m, ss] of minutes) {
    const rss = ss.map((x) => x.rss);
    const heap = ss.map((x) => x.heap);
    lines.push(
      `      ${String(m).padStart(6)}  ${`${mib(Math.min(...rss))}-${mib(Math.max(...rss))}`.padStart(25)}` +
        `  ${`${mib(Math.min(...heap))}-${mib(Math.max(...heap))}`.padStart(29)}  ${mib(ss.at(-1)!.redis).padStart(20)}`,
    );
  }
  lines.push(
    `      server RSS every ${SOAK_PRINT_SECONDS} s, MiB: ${samples
      .filter((_, i) => i % (SOAK_PRINT_SECONDS / SOAK_SAMPLE_SECONDS) === 0)
      .map((x) => mib(x.rss))
      .join(' ')}`,
    `      trend after the first minute: server RSS floor ${rssSlope.toFixed(2)} MiB/min (every sample: ` +
      `${raw((s) => s.rss).toFixed(2)}), old generation floor ${heapSlope.toFixed(2)} MiB/min (every sample: ` +
      `${raw((s) => s.heap).toFixed(2)}), Redis ${redisSlope.toFixed(2)} MiB/min ` +
      `(${num((redisSlope * MiB) / (phase.report.ccr.perSecond * 60))} bytes per CCR answered, kept)`,
  );
  return { rssSlope, heapSlope, redisSlope, lines };
}

process.exitCode = await main();
