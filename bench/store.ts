/**
 * Balance store benchmark: the calls credit control makes per CCR (apply on CCR-I, settle with a
 * new grant on CCR-U, settle without one on CCR-T), through ioredis on ONE connection with ~200
 * calls in flight, beside two yardsticks measured the same way on the same Redis: a trivial
 * script (`return 1`) and PERFORMANCE.md's realistic reserve script (2 HGET, a check, HINCRBY,
 * HSET of a 3-field hash, EXPIRE). Redis runs with AOF appendfsync everysec, as in production.
 * A store call is what credit control pays per CCR: with the reservation index kept by the script
 * itself (one Redis), one script call; before that (and in a cluster), the index ZADD before apply
 * and CCR-U and the index cleanup script after CCR-T as well.
 *
 * Per line: calls per second, and CPU per call of Node (process.cpuUsage) and of Redis (INFO cpu,
 * user + sys), and the part of Redis's that was spent inside commands (INFO commandstats); the
 * rest is reading requests, writing replies and the AOF. Every line is measured BENCH_ROUNDS
 * times (default 3, interleaved) and the median is printed: the machines are noisy.
 *
 *   npm run bench:store                  # full
 *   BENCH_SIZE=small npm run bench:store # a few seconds
 *   BENCH_ROUNDS=5 BENCH_ACCOUNTS=200    # more rounds; fewer accounts
 */
import { Redis, type Result } from 'ioredis';
import { BalanceStore } from '../src/balance/index.js';
import { startLocalRedis } from '../src/redis/local-redis.js';
import { trivialEvalshaRate } from './support/redis-benchmark.js';
import { commandStats } from './support/redis-info.js';
import { median } from './support/statistics.js';
import { applyCall, msisdnOf, runInFlight, seedAccounts, TIERS } from './support/store-calls.js';

const small = process.env.BENCH_SIZE === 'small';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// A subscriber holds one to three reservations at a time; with ~5 per account a round keeps the
// reservation hashes that small (200 accounts made them hold 50 to 100, every HSET and HDEL on
// them a linear scan of a long listpack).
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? (small ? 2_000 : 20_000));
const CALLS = small ? 10_000 : 100_000;
const WARMUP = small ? 2_000 : 10_000;
const IN_FLIGHT = 200;
const BENCHMARK_REQUESTS = small ? 50_000 : 500_000;
const NOW = Date.UTC(2026, 10, 1);

/** PERFORMANCE.md's realistic reserve script. */
const REFERENCE_LUA = `
local avail = tonumber(redis.call('HGET', KEYS[1], 'avail') or '0')
local status = redis.call('HGET', KEYS[1], 'status')
local amount = tonumber(ARGV[1])
if status ~= 'active' or avail < amount then
  return {-6, ''}
end
redis.call('HINCRBY', KEYS[1], 'avail', -amount)
redis.call('HSET', KEYS[2], 'amount', ARGV[1], 'expires', ARGV[2], 'session', ARGV[3])
redis.call('EXPIRE', KEYS[2], 3600)
return {0, avail - amount}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    benchTrivial(): Result<unknown, Context>;
    benchReference(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

/** Server CPU seconds (user + sys) from INFO cpu. */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

/** Microseconds spent inside commands, all commands but INFO and CONFIG. */
async function commandMicros(redis: Redis): Promise<number> {
  let usec = 0;
  for (const [name, stat] of await commandStats(redis)) {
    if (name !== 'info' && name !== 'config') usec += stat.usec;
  }
  return usec;
}

interface Rate {
  perSecond: number;
  nodeMicros: number;
  redisMicros: number;
  commandMicros: number;
}

/** Runs `calls` calls of `fn(i)`, IN_FLIGHT at a time, and measures rate and CPU per call. */
async function measure(redis: Redis, calls: number, fn: (i: number) => Promise<unknown>): Promise<Rate> {
  const redis0 = await redisCpu(redis);
  const command0 = await commandMicros(redis);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  await runInFlight(calls, IN_FLIGHT, fn);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const redisSeconds = (await redisCpu(redis)) - redis0;
  const commandUsec = (await commandMicros(redis)) - command0;
  return {
    perSecond: calls / seconds,
    nodeMicros: (cpu.user + cpu.system) / calls,
    redisMicros: (redisSeconds * 1e6) / calls,
    commandMicros: commandUsec / calls,
  };
}

function medianRate(rates: Rate[]): Rate {
  return {
    perSecond: median(rates.map((r) => r.perSecond)),
    nodeMicros: median(rates.map((r) => r.nodeMicros)),
    redisMicros: median(rates.map((r) => r.redisMicros)),
    commandMicros: median(rates.map((r) => r.commandMicros)),
  };
}

async function main(): Promise<void> {
  const local = await startLocalRedis({ persistence: 'aof' });
  const redis = new Redis(local.url);
  try {
    const store = new BalanceStore({ redis, keyPrefix: 'bench:' });
    redis.defineCommand('benchTrivial', { numberOfKeys: 0, lua: 'return 1' });
    redis.defineCommand('benchReference', { numberOfKeys: 2, lua: REFERENCE_LUA });
    const msisdn = msisdnOf(ACCOUNTS);
    await seedAccounts(store, ACCOUNTS, msisdn);
    await Promise.all(
      Array.from({ length: ACCOUNTS }, (_, i) =>
        redis.hset(`bench:ref:{${msisdn(i)}}`, 'status', 'active', 'avail', 900_000_000_000),
      ),
    );

    // redis-benchmark: a trivial script, same Redis, 50 clients
    const trivial = await trivialEvalshaRate(redis, local.port, BENCHMARK_REQUESTS);

    const apply = (tag: string) => applyCall(store, msisdn, tag, NOW);
    const update = (tag: string) => (i: number) =>
      store.settle({
        opId: `${tag}${i}#1#settle`,
        msisdn: msisdn(i),
        sessionId: `${tag}${i}`,
        ratingGroup: 0,
        used: 30 + (i % 90),
        units: 120,
        tiers: TIERS,
        expiresAtMs: NOW + 7_200_000,
        nowMs: NOW + i,
      });
    const terminate = (tag: string) => (i: number) =>
      store.settle({
        opId: `${tag}${i}#2#settle`,
        msisdn: msisdn(i),
        sessionId: `${tag}${i}`,
        ratingGroup: 0,
        used: 30 + (i % 90),
        nowMs: NOW + i,
      });
    const reference = (tag: string) => (i: number) =>
      redis.benchReference(
        `bench:ref:{${msisdn(i)}}`,
        `bench:refresv:{${msisdn(i)}}:${tag}${i}`,
        5,
        NOW,
        `${tag}${i}`,
      );

    const lines = {
      trivial: { label: `ioredis EVALSHA 'return 1'`, rates: [] as Rate[] },
      reference: { label: 'reference reserve script (PERFORMANCE.md)', rates: [] as Rate[] },
      apply: { label: 'apply (CCR-I)', rates: [] as Rate[] },
      update: { label: 'settle with a new grant (CCR-U)', rates: [] as Rate[] },
      settle: { label: 'deduct+return: settle without (CCR-T)', rates: [] as Rate[] },
    };

    await measure(redis, WARMUP, () => redis.benchTrivial());
    await measure(redis, WARMUP, reference('w'));
    await measure(redis, WARMUP, apply('w'));
    await measure(redis, WARMUP, update('w'));
    await measure(redis, WARMUP, terminate('w'));
    for (let round = 0; round < ROUNDS; round++) {
      const tag = `r${round}s`;
      lines.trivial.rates.push(await measure(redis, CALLS, () => redis.benchTrivial()));
      lines.reference.rates.push(await measure(redis, CALLS, reference(tag)));
      lines.apply.rates.push(await measure(redis, CALLS, apply(tag)));
      lines.update.rates.push(await measure(redis, CALLS, update(tag)));
      lines.settle.rates.push(await measure(redis, CALLS, terminate(tag)));
    }

    console.log(
      `balance store benchmark: ${ACCOUNTS} accounts, ${CALLS} calls per line, ONE ioredis connection, ` +
        `${IN_FLIGHT} in flight, Redis AOF everysec, median of ${ROUNDS} (${small ? 'small' : 'full'})`,
    );
    console.log(`  ${'redis-benchmark EVALSHA return 1, 50 clients'.padEnd(46)} ${fmtRate(trivial)}`);
    console.log(
      `  ${''.padEnd(46)} ${'calls/s'.padStart(11)}   CPU µs per call: Node  Redis  (x reference, in commands)`,
    );
    const medians: Record<string, Rate> = {};
    for (const [key, { rates }] of Object.entries(lines)) medians[key] = medianRate(rates);
    const ref = medians.reference as Rate;
    for (const [key, { label }] of Object.entries(lines)) {
      const r = medians[key] as Rate;
      console.log(
        `  ${label.padEnd(46)} ${fmtRate(r.perSecond)}   ${''.padEnd(15)}${fmt(r.nodeMicros)} ${fmt(r.redisMicros)}` +
          `  (x${(r.redisMicros / ref.redisMicros).toFixed(1)}, ${r.commandMicros.toFixed(1)})`,
      );
    }
    const a = medians.apply as Rate;
    const s = medians.settle as Rate;
    const u = medians.update as Rate;
    console.log(
      `bench:store apply_per_s=${Math.round(a.perSecond)} settle_per_s=${Math.round(s.perSecond)} ` +
        `evalsha_trivial_per_s=${Math.round(trivial)} ratio_apply=${(a.perSecond / trivial).toFixed(3)} ` +
        `ratio_settle=${(s.perSecond / trivial).toFixed(3)} ` +
        `apply_redis_us=${a.redisMicros.toFixed(1)} update_redis_us=${u.redisMicros.toFixed(1)} ` +
        `settle_redis_us=${s.redisMicros.toFixed(1)} apply_node_us=${a.nodeMicros.toFixed(1)} ` +
        `update_node_us=${u.nodeMicros.toFixed(1)} settle_node_us=${s.nodeMicros.toFixed(1)}`,
    );
  } finally {
    redis.disconnect();
    await local.stop();
  }
}

function fmtRate(perSecond: number): string {
  return `${Math.round(perSecond).toString().padStart(9)}/s`;
}

function fmt(micros: number): string {
  return micros.toFixed(1).padStart(5);
}

await main();
