/**
 * Balance store benchmark: apply, and deduct+return (settle without a new grant), through ioredis
 * on ONE connection with ~200 calls in flight, beside redis-benchmark's figure for a trivial
 * EVALSHA on the same Redis in the same run (AOF appendfsync everysec, as production runs it).
 * Each store call is one script call plus one index command (apply: ZADD before; settle: the
 * index cleanup after), which is what credit control pays per CCR.
 *
 *   npm run bench:store                  # full
 *   BENCH_SIZE=small npm run bench:store # a few seconds
 */
import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { BalanceStore, type Tier } from '../src/balance/index.js';
import { findRedisServer, startLocalRedis } from '../src/redis/local-redis.js';

const small = process.env.BENCH_SIZE === 'small';
const ACCOUNTS = small ? 200 : 1000;
const CALLS = small ? 20_000 : 200_000;
const WARMUP = small ? 2_000 : 10_000;
const IN_FLIGHT = 200;
const BENCHMARK_REQUESTS = small ? 50_000 : 500_000;
const NOW = Date.UTC(2026, 10, 1);

const TIERS: Tier[] = [
  { bucket: 'vpn:vpn-300:free-seconds', unitSize: 60, pricePerUnit: 60 },
  { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
];

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} failed: ${err.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

function redisBenchmarkBinary(): string {
  const server = findRedisServer();
  const beside = server?.replace(/redis-server$/, 'redis-benchmark');
  return beside ?? 'redis-benchmark';
}

/** Server CPU seconds (user + sys) from INFO cpu. */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

interface Rate {
  label: string;
  perSecond: number;
  nodeMicros: number;
  redisMicros: number;
}

/** Runs `calls` calls of `fn(i)`, IN_FLIGHT at a time, and measures rate and CPU per call. */
async function measure(
  redis: Redis,
  label: string,
  calls: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Rate> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpu(redis);
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < calls) await fn(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const redisSeconds = (await redisCpu(redis)) - redis0;
  return {
    label,
    perSecond: calls / seconds,
    nodeMicros: (cpu.user + cpu.system) / calls,
    redisMicros: (redisSeconds * 1e6) / calls,
  };
}

async function main(): Promise<void> {
  const local = await startLocalRedis({ persistence: 'aof' });
  const redis = new Redis(local.url);
  try {
    const store = new BalanceStore({ redis, keyPrefix: 'bench:' });
    const msisdn = (i: number) => `86139${String(i % ACCOUNTS).padStart(8, '0')}`;
    await Promise.all(
      Array.from({ length: ACCOUNTS }, (_, i) =>
        store.upsertAccount({
          msisdn: msisdn(i),
          buckets: { money: 900_000_000_000, 'vpn:vpn-300:free-seconds': 18_000 },
        }),
      ),
    );

    // redis-benchmark: a trivial script, same Redis, 50 clients
    const sha = (await redis.script('LOAD', 'return 1')) as string;
    const out = await run(redisBenchmarkBinary(), [
      '-p',
      String(local.port),
      '-n',
      String(BENCHMARK_REQUESTS),
      '-c',
      '50',
      '-q',
      'EVALSHA',
      sha,
      '0',
    ]);
    const matches = [...out.matchAll(/([\d.]+) requests per second/g)];
    const trivial = Number(matches.at(-1)?.[1]);
    if (!Number.isFinite(trivial)) throw new Error(`cannot read redis-benchmark's output: ${out}`);

    const apply = (tag: string) => (i: number) =>
      store.apply({
        opId: `${tag}${i}#0#apply`,
        msisdn: msisdn(i),
        sessionId: `${tag}${i}`,
        ratingGroup: 0,
        tiers: TIERS,
        units: 120,
        nowMs: NOW + i,
        expiresAtMs: NOW + 3_600_000,
      });
    const settle = (tag: string) => (i: number) =>
      store.settle({
        opId: `${tag}${i}#1#settle`,
        msisdn: msisdn(i),
        sessionId: `${tag}${i}`,
        ratingGroup: 0,
        used: 30 + (i % 90),
        nowMs: NOW + i,
      });

    await measure(redis, 'warm-up apply', WARMUP, apply('w'));
    await measure(redis, 'warm-up settle', WARMUP, settle('w'));
    const applied = await measure(redis, 'apply (index ZADD + script)', CALLS, apply('s'));
    const settled = await measure(redis, 'deduct+return (settle + index cleanup)', CALLS, settle('s'));

    const rows: [string, number, string][] = [
      [`redis-benchmark EVALSHA 'return 1', 50 clients`, trivial, ''],
      [applied.label, applied.perSecond, cpuNote(applied)],
      [settled.label, settled.perSecond, cpuNote(settled)],
    ];
    console.log(
      `balance store benchmark: ${ACCOUNTS} accounts, ${CALLS} calls per line, ONE ioredis connection, ` +
        `${IN_FLIGHT} in flight, Redis AOF everysec (${small ? 'small' : 'full'})`,
    );
    for (const [label, rate, note] of rows) {
      const ratio = label.startsWith('redis-benchmark') ? '' : `  ${(rate / trivial).toFixed(2)} of trivial`;
      console.log(`  ${label.padEnd(48)} ${Math.round(rate).toString().padStart(8)}/s${ratio}${note}`);
    }
    console.log(
      `bench:store apply_per_s=${Math.round(applied.perSecond)} settle_per_s=${Math.round(settled.perSecond)} ` +
        `evalsha_trivial_per_s=${Math.round(trivial)} ratio_apply=${(applied.perSecond / trivial).toFixed(3)} ` +
        `ratio_settle=${(settled.perSecond / trivial).toFixed(3)}`,
    );
  } finally {
    redis.disconnect();
    await local.stop();
  }
}

function cpuNote(r: Rate): string {
  return `  (Node ${r.nodeMicros.toFixed(1)} µs, Redis ${r.redisMicros.toFixed(1)} µs CPU per call)`;
}

await main();
