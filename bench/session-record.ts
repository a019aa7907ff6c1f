/**
 * Session record benchmark: what a CCR costs in the session record alone, away from Redis and
 * the network. Encoding and decoding an open data session and a voice call as stored
 * (session-codec.ts), the kept result of a settle as the record keeps it (kept-result.ts), and
 * the record's whole path through one CCR-U served from this instance's memory: recalled, the
 * session write built for the charging call that carries it, completed with the call's result
 * and remembered (sessions.ts, session-carry.ts, session-close.ts). Prints CPU microseconds per
 * operation, the median of several rounds, as the machine is shared.
 *
 *   npm run bench:record                   # 7 rounds of 1 s per operation
 *   BENCH_SIZE=small npm run bench:record  # 3 rounds of 0.3 s
 *   BENCH_ONLY=path npm run bench:record   # the operations whose label has "path" (to profile one)
 */
import type { Redis } from 'ioredis';
import { keptJson } from '../src/balance/kept-result.js';
import type { Charging } from '../src/credit-control/context.js';
import { CdrWriter } from '../src/credit-control/cdr.js';
import { SessionKeys } from '../src/credit-control/keys.js';
import { planCarry } from '../src/credit-control/session-carry.js';
import { saveAfterRequest } from '../src/credit-control/session-close.js';
import { decodeSessionRecord, encodeSessionRecord } from '../src/credit-control/session-codec.js';
import { SessionGuards } from '../src/credit-control/session-guards.js';
import { noteSettled } from '../src/credit-control/session-pending.js';
import type { PendingCharge, SessionRecord } from '../src/credit-control/session-record.js';
import { SessionStore } from '../src/credit-control/sessions.js';
import { chargingSettings } from '../src/credit-control/settings.js';
import type { CreditControlAnswer, CreditControlRequest } from '../src/credit-control/types.js';
import { median } from './support/statistics.js';

const small = process.env.BENCH_SIZE === 'small';
const rounds = small ? 3 : 7;
const seconds = small ? 0.3 : 1;
const start = 1_790_000_000_000;

/** An open data session after a few CCR-Us, as the bench's simulator drives one. */
const dataSession: SessionRecord = {
  sessionId: 'pgw1.operator.net;1790000000;42;sim-000123',
  msisdn: '8613800012345',
  kind: 'data',
  tariff: 'std',
  currency: 'CNY',
  state: 'open',
  lastNumber: 3,
  lastType: 'update',
  lastAnswer: {
    resultCode: 2001,
    services: [
      {
        resultCode: 2001,
        ratingGroup: 10,
        granted: { totalOctets: 1_048_576 },
        validityTime: 3600,
        quotaHoldingTime: 300,
        volumeQuotaThreshold: 104_857,
      },
    ],
  },
  startedAt: start,
  updatedAt: start + 180_000,
  reserved: [10],
  held: { '10': 30 },
  used: { '10': 3_145_728 },
  amounts: { money: 90 },
  levels: ['pps:std:data'],
  ownerUntil: start + 7_800_000,
  originHost: 'pgw1.operator.net',
  originRealm: 'operator.net',
  instance: 'ocs-7f3a9c',
};

/** A voice call between two subscribers, through a relay, after its first CCR-U. */
const voiceCall: SessionRecord = {
  ...dataSession,
  sessionId: 'scscf1.ims.operator.net;1790000000;7;sim-004567',
  msisdn: '8613800045678',
  kind: 'voice',
  lastNumber: 1,
  lastAnswer: {
    resultCode: 2001,
    services: [{ resultCode: 2001, ratingGroup: 100, granted: { time: 60 }, validityTime: 600 }],
  },
  used: { '100': 60 },
  amounts: { money: 15, 'vpn:L0': 10 },
  held: { '100': 15 },
  reserved: [100],
  levels: ['vpn:L0', 'pps:std:voice-mo'],
  callingParty: '8613800045678',
  calledParty: '8613900011122',
  destination: 'beijing',
  role: 'originating',
  originHost: 'scscf1.ims.operator.net',
  originRealm: 'ims.operator.net',
  via: 'dra1.operator.net',
};

/** A settle's reply as the script returns it, and its call named in the record it writes. */
const settleReply = [
  0,
  [
    'settled',
    1,
    'charged',
    30,
    'uncharged',
    0,
    'amounts',
    ['money', 30],
    'returned',
    [],
    'releasedExpiresAtMs',
    start + 3_600_000,
    'granted',
    1_048_576,
    'final',
    0,
    'creditLimitReached',
    0,
    'expiresAtMs',
    start + 3_780_000,
    'tiers',
    ['money', 1_048_576, 30],
    'moneyAvailable',
    99_880,
    'denied',
    0,
  ],
];
const kept = keptJson(settleReply)!;
const settleResult = {
  amounts: { money: 30 },
  granted: 1_048_576,
  tiers: [{ bucket: 'money', units: 1_048_576, amount: 30 }],
};

function pendingOf(record: SessionRecord, number: number): PendingCharge {
  return {
    call: 'settle',
    ratingGroup: record.reserved[0]!,
    used: 1_048_576,
    opId: `${record.sessionId}#${number}#settle:${record.reserved[0]!}`,
    level: record.levels.at(-1)!,
  };
}

/** The record as a Redis read finds it: written by its request's charging call, with its result. */
function asStored(record: SessionRecord): string {
  const raw = encodeSessionRecord({ ...record, pending: pendingOf(record, record.lastNumber) });
  return `${raw.slice(0, -1)},"x":${kept}}`;
}

const stand = { defineCommand() {}, isCluster: false } as unknown as Redis;
const keys = new SessionKeys('bench:');
const sessions = new SessionStore(stand, keys);
const charging = {
  sessions,
  settings: chargingSettings(),
  cdrs: new CdrWriter(stand, keys, 1000),
  guards: new SessionGuards(),
  instanceId: 'ocs-7f3a9c',
  now: () => start + 240_000,
} as unknown as Charging;

function request(record: SessionRecord, number: number): CreditControlRequest {
  return {
    sessionId: record.sessionId,
    ...(record.via ? { peer: record.via } : {}),
    originHost: record.originHost!,
    originRealm: record.originRealm!,
    destinationRealm: 'ocs.operator.net',
    serviceContextId: '32251@3gpp.org',
    requestType: 'update',
    requestNumber: number,
    retransmission: false,
    subscriptionIds: [{ type: 'e164', data: record.msisdn }],
    multipleServicesIndicator: true,
    services: [],
    used: [],
  };
}

/**
 * One CCR-U served from memory, as far as the record goes: recalled, the carried session write
 * built, completed with the settle's result and remembered for the next, which only its numbers
 * set apart.
 */
function ccrU(record: SessionRecord): () => void {
  let number = record.lastNumber;
  const answer: CreditControlAnswer = record.lastAnswer;
  sessions.remember(record, asStored(record), pendingOf(record, record.lastNumber).opId);
  return () => {
    number += 1;
    const recalled = sessions.recall(record.sessionId, record.msisdn)!.record;
    const req = request(record, number);
    const plan = planCarry(charging, req, 'open')!;
    const pending = pendingOf(recalled, number);
    if (!plan.args(recalled, pending)) throw new Error('the carry plan must build the write');
    plan.succeeded(kept);
    noteSettled(recalled, pending.ratingGroup, pending.used, settleResult);
    void saveAfterRequest(charging, recalled, req, answer, 'open', { carried: plan });
  };
}

let sink = 0;

function measure(fn: () => void): number {
  for (let i = 0; i < 5000; i++) fn();
  const cpuStart = process.cpuUsage();
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  const cpu = process.cpuUsage(cpuStart);
  return (cpu.user + cpu.system) / n;
}

const dataStored = asStored(dataSession);
const voiceStored = asStored(voiceCall);
const every: [string, () => void][] = [
  ['encode data session', () => (sink += encodeSessionRecord(dataSession).length)],
  ['encode voice call', () => (sink += encodeSessionRecord(voiceCall).length)],
  [
    'decode data session (as read from Redis)',
    () => (sink += decodeSessionRecord(dataSession.msisdn, dataSession.sessionId, dataStored).lastNumber),
  ],
  [
    'decode voice call (as read from Redis)',
    () => (sink += decodeSessionRecord(voiceCall.msisdn, voiceCall.sessionId, voiceStored).lastNumber),
  ],
  ['kept result of a settle', () => (sink += keptJson(settleReply)!.length)],
  ['record path of a CCR-U, data session', ccrU(dataSession)],
  ['record path of a CCR-U, voice call', ccrU(voiceCall)],
];

console.log(`session record: CPU µs per operation, median of ${rounds} rounds of ${seconds} s (min-max)`);
console.log(`  stored record: data ${dataStored.length} B, voice ${voiceStored.length} B`);
const cases = every.filter(([label]) => label.includes(process.env.BENCH_ONLY ?? ''));
const results = cases.map(([label]) => ({ label, micros: [] as number[] }));
for (let r = 0; r < rounds; r++)
  for (const [i, [, fn]] of cases.entries()) results[i]!.micros.push(measure(fn));
for (const { label, micros } of results) {
  const [lo, hi] = [Math.min(...micros), Math.max(...micros)];
  console.log(
    `  ${label.padEnd(42)} ${median(micros).toFixed(2).padStart(7)} µs  (${lo.toFixed(2)}-${hi.toFixed(2)})`,
  );
}
if (sink === 0) console.log('(nothing measured)');
