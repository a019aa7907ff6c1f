/**
 * What the charging functions cost inside Redis, per call: the calls credit control makes per
 * CCR of one rating group on one Redis (DESIGN §5), each carrying its session write as the
 * server's would: CCR-I is authenticate, then apply opening the session record (condition
 * 'absent', owner record, Tcc supervision); CCR-U is settle with a new grant, replacing the
 * record that kept the previous call's result; CCR-T is settle without a grant, closing the
 * session with its CDR; each with its deadline. Per function: microseconds inside the FCALL (INFO commandstats
 * usec_per_call, which counts the commands the script runs) and how many commands the script
 * ran per call (redis.call), the median of BENCH_ROUNDS rounds (default 5).
 *
 *   npm run bench:lua                     # 5 rounds of 5,000 sessions
 *   BENCH_SESSIONS=20000 BENCH_ROUNDS=9   # larger
 *   BENCH_CALLGRIND=1 BENCH_SESSIONS=500 BENCH_ROUNDS=1   # + instructions per call (valgrind)
 *   BENCH_REDIS_URL=redis://127.0.0.1:7000 npm run bench:lua   # a Redis of your own
 */
import { Redis } from 'ioredis';
import { BalanceStore } from '../src/balance/index.js';
import type { SessionRecord } from '../src/credit-control/session-record.js';
import { encodeSessionRecord } from '../src/credit-control/session-codec.js';
import { SessionKeys } from '../src/credit-control/keys.js';
import { SessionStore } from '../src/credit-control/sessions.js';
import { startLocalRedis, type LocalRedis } from '../src/redis/local-redis.js';
import { startCallgrindRedis, type CallgrindRedis } from './support/callgrind-redis.js';
import { commandStats } from './support/redis-info.js';
import { median } from './support/statistics.js';
import { msisdnOf, runInFlight, seedAccounts, TIERS } from './support/store-calls.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ACCOUNTS = Math.max(1, Math.floor(SESSIONS / 5));
const IN_FLIGHT = 50;
const NOW = Date.UTC(2026, 10, 1);
const PREFIX = 'luacost:';
const TTL_SECONDS = 7_200;
// Every call carries its request's deadline, as the server's do (src/credit-control/deadline.ts).
const DEADLINE_MS = 60_000;

/** The per-call figures of one function in one phase. */
interface Cost {
  /** Under callgrind: instructions per call inside FCALL. */
  instructionsPerCall: number;
  usecPerCall: number;
  commandsPerCall: number;
  /** The commands the function ran, per call, by name. */
  commands: string;
}

/**
 * With BENCH_CALLGRIND set, the bench starts its Redis under valgrind's callgrind and also gives
 * the instructions per call of each function (bench/support/callgrind-redis.ts).
 */
const CALLGRIND = process.env.BENCH_CALLGRIND !== undefined;

/** Runs one phase and reads what its FCALLs cost from INFO commandstats, reset before it. */
async function phase(
  redis: Redis,
  calls: number,
  fn: (i: number) => Promise<unknown>,
  callgrind?: CallgrindRedis,
): Promise<Cost> {
  await redis.config('RESETSTAT');
  callgrind?.dump('before');
  await runInFlight(calls, IN_FLIGHT, fn);
  const instructions = callgrind ? callgrind.dump('phase') / calls : NaN;
  let fcalls = { calls: 0, usec: 0 };
  let inner = 0;
  const named: string[] = [];
  for (const [name, stat] of await commandStats(redis)) {
    if (name === 'fcall') fcalls = stat;
    else if (!name.startsWith('config') && name !== 'info') {
      inner += stat.calls;
      named.push(`${name} ${+(stat.calls / calls).toFixed(2)}`);
    }
  }
  return {
    instructionsPerCall: instructions,
    usecPerCall: fcalls.usec / fcalls.calls,
    commandsPerCall: inner / fcalls.calls,
    commands: named.sort().join(', '),
  };
}

/** The record of a voice session as the server writes it, its charging call `pending`. */
function record(
  msisdn: string,
  sessionId: string,
  n: number,
  pending: SessionRecord['pending'],
): SessionRecord {
  const open = n < 2;
  return {
    sessionId,
    msisdn,
    kind: 'voice',
    tariff: 'std',
    currency: 'CNY',
    state: open ? 'open' : 'closed',
    lastNumber: n,
    lastType: n === 0 ? 'initial' : open ? 'update' : 'termination',
    lastAnswer: {
      resultCode: 2001,
      services: [{ resultCode: 2001, ratingGroup: 0, granted: { time: 120 }, validityTime: 600 }],
    },
    startedAt: NOW,
    updatedAt: NOW + n * 60_000,
    reserved: open ? [0] : [],
    used: n === 0 ? {} : { '0': n * 60 },
    amounts: n === 0 ? {} : { 'vpn:vpn-300:free-seconds': n * 60 },
    levels: ['vpn:vpn-300', 'pps:std:voice-mo'],
    callingParty: msisdn,
    calledParty: '8613900011122',
    ...(open ? {} : { closeReason: 'termination' }),
    ownerUntil: NOW + TTL_SECONDS * 1000,
    originHost: 'scscf1.ims.operator.net',
    originRealm: 'ims.operator.net',
    pending,
  };
}

async function main(): Promise<void> {
  const own = process.env.BENCH_REDIS_URL;
  const callgrind = CALLGRIND && !own ? await startCallgrindRedis() : undefined;
  const local: LocalRedis | undefined = own || callgrind ? undefined : await startLocalRedis();
  const redis = new Redis(own ?? callgrind?.url ?? local!.url);
  try {
    const store = new BalanceStore({ redis, keyPrefix: PREFIX });
    const sessions = new SessionStore(redis, new SessionKeys(PREFIX));
    const msisdn = msisdnOf(ACCOUNTS);
    await seedAccounts(store, ACCOUNTS, msisdn);

    const carry = (tag: string, i: number, n: number, call: 'apply' | 'settle', used: number) => {
      const sessionId = `scscf1.ims.operator.net;1790000000;${tag};${i}`;
      const opId = `${sessionId}#${n}#${call}`;
      const r = record(msisdn(i), sessionId, n, { call, ratingGroup: 0, used, opId });
      const memberUntil = NOW + 900_000;
      const closing = n === 2;
      const args = sessions.carriedWrite(
        r,
        encodeSessionRecord(r),
        n === 0
          ? { ttlSeconds: TTL_SECONDS, ownerTtlSeconds: TTL_SECONDS, superviseUntilMs: memberUntil }
          : closing
            ? { ttlSeconds: 60, unsupervise: true }
            : { ttlSeconds: TTL_SECONDS },
        n === 0 ? 'absent' : '',
        closing
          ? {
              maxLen: 1_000_000,
              head: `{"sessionId":"${sessionId}","msisdn":"${msisdn(i)}","service":"voice","amounts":`,
              tail: `,"used":{"0":${used + 60}},"resultCode":2001,"closeReason":"termination"}`,
              base: { 'vpn:vpn-300:free-seconds': 60 },
            }
          : undefined,
        n === 0 ? undefined : `${sessionId}#${n - 1}#${n === 1 ? 'apply' : 'settle'}`,
      );
      return { sessionId, opId, args };
    };

    const authenticate = () => (i: number) => store.authenticate(msisdn(i), NOW + i);
    const apply = (tag: string) => (i: number) => {
      const { sessionId, opId, args } = carry(tag, i, 0, 'apply', 0);
      return store.apply({
        opId,
        msisdn: msisdn(i),
        sessionId,
        ratingGroup: 0,
        tiers: TIERS,
        units: 120,
        nowMs: NOW + i,
        expiresAtMs: NOW + 3_600_000,
        deadlineMs: Date.now() + DEADLINE_MS,
        carry: args,
      });
    };
    const update = (tag: string) => (i: number) => {
      const used = 30 + (i % 90);
      const { sessionId, opId, args } = carry(tag, i, 1, 'settle', used);
      return store.settle({
        opId,
        msisdn: msisdn(i),
        sessionId,
        ratingGroup: 0,
        used,
        units: 120,
        tiers: TIERS,
        expiresAtMs: NOW + 7_200_000,
        nowMs: NOW + i,
        deadlineMs: Date.now() + DEADLINE_MS,
        carry: args,
      });
    };
    const terminate = (tag: string) => (i: number) => {
      const used = 30 + (i % 90);
      const { sessionId, opId, args } = carry(tag, i, 2, 'settle', used);
      return store.settle({
        opId,
        msisdn: msisdn(i),
        sessionId,
        ratingGroup: 0,
        used,
        nowMs: NOW + i,
        deadlineMs: Date.now() + DEADLINE_MS,
        carry: args,
      });
    };

    const lines: [string, Cost[]][] = [
      ['authenticate (CCR-I)', []],
      ['apply + session write (CCR-I)', []],
      ['settle + new grant + session write (CCR-U)', []],
      ['settle + CDR + session close (CCR-T)', []],
    ];
    for (let round = 0; round < ROUNDS + 1; round++) {
      const tag = `r${round}`;
      const costs = [
        await phase(redis, SESSIONS, authenticate(), callgrind),
        await phase(redis, SESSIONS, apply(tag), callgrind),
        await phase(redis, SESSIONS, update(tag), callgrind),
        await phase(redis, SESSIONS, terminate(tag), callgrind),
      ];
      // Round 0 warms the library's memo tables and Redis's allocator: not counted.
      if (round > 0) costs.forEach((c, k) => lines[k]![1].push(c));
    }

    console.log(
      `charging functions inside Redis: ${SESSIONS} sessions per round, ${ACCOUNTS} accounts, ` +
        `median of ${ROUNDS} rounds`,
    );
    const instructions = (costs: Cost[]) =>
      CALLGRIND ? median(costs.map((c) => c.instructionsPerCall)) : NaN;
    const column = (n: number, digits: number, width: number) =>
      Number.isNaN(n) ? ''.padStart(width) : n.toFixed(digits).padStart(width);
    console.log(
      `  ${''.padEnd(44)} ${'µs/call'.padStart(8)} ${'instructions'.padStart(12)} ${'redis.call/call'.padStart(16)}`,
    );
    let ccrI = { usec: 0, instructions: 0 };
    for (const [label, costs] of lines) {
      const usec = median(costs.map((c) => c.usecPerCall));
      const counted = instructions(costs);
      const commands = median(costs.map((c) => c.commandsPerCall));
      if (label.includes('CCR-I'))
        ccrI = { usec: ccrI.usec + usec, instructions: ccrI.instructions + counted };
      console.log(
        `  ${label.padEnd(44)} ${column(usec, 1, 8)} ${column(counted, 0, 12)} ${column(commands, 2, 16)}` +
          `   ${costs.at(-1)!.commands}`,
      );
    }
    console.log(
      `  ${'CCR-I in all (authenticate + apply)'.padEnd(44)} ${column(ccrI.usec, 1, 8)} ${column(ccrI.instructions, 0, 12)}`,
    );
  } finally {
    redis.disconnect();
    await local?.stop();
    await callgrind?.stop();
  }
}

await main();
