import type { Redis as RedisClient } from 'ioredis';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { AnswerInfo, MAX_MSCC, readAnswer } from '../../../src/simulator/answers.js';
import { DiameterClient } from '../../../src/simulator/client.js';
import { CcrWriter } from '../../../src/simulator/requests.js';
import { numberAt } from '../../../src/simulator/scenario.js';
import { runInFlight } from '../../support/store-calls.js';
import { num } from '../format.js';
import { dataMemory, memoryByKind, type KeyKind } from '../redis-memory.js';
import { DATA_FIRST, MEMBER_FIRST } from '../scenario.js';
import { ACCOUNTS, MEMBERS, MiB } from '../settings.js';
import { sleep } from '../sleep.js';

export interface SessionMemory {
  count: number;
  /** Bytes per open session: data, voice, both; and what stays after their CCR-T. */
  data: number;
  voice: number;
  open: number;
  afterTermination: number;
  /** Growth per kind of key while the sessions were opened. */
  breakdown: Map<string, KeyKind>;
  /** The sessions' own keys (naming their Session-Id) left once they were closed, and how long they stay. */
  leftover: Map<string, KeyKind>;
  /** Result-Codes other than 2001, and how often. */
  refusals: Map<number, number>;
}

/** Redis memory per open session: sessions opened with a CCR-I and held, then terminated. */
async function memoryPerSession(port: number, redis: RedisClient, count: number): Promise<SessionMemory> {
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
  const sendAll = (n: number, write: (i: number, hop: number) => Buffer) =>
    runInFlight(n, 200, async (i) => {
      const hop = client.nextHopByHop();
      const code = await new Promise<number>((resolve) => {
        waiting.set(hop, resolve);
        client.write(write(i, hop));
      });
      if (code !== 2001) refusals.set(code, (refusals.get(code) ?? 0) + 1);
    });
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
    const breakdown = growth(kinds0, await memoryByKind(redis));
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
    const leftover = await memoryByKind(redis, `*${tag}*`);
    return {
      count,
      data: (m1 - m0) / data,
      voice: (m2 - m1) / voice,
      open: (m2 - m0) / count,
      afterTermination: (m3 - m0) / count,
      breakdown,
      leftover,
      refusals,
    };
  } finally {
    client.onAnswerFrame = undefined;
    await client.disconnect().catch(() => client.close());
  }
}

/** What each kind of key grew by since `before`; the time to live is the kind's after. */
function growth(before: Map<string, KeyKind>, after: Map<string, KeyKind>): Map<string, KeyKind> {
  for (const [kind, was] of before) {
    const now = after.get(kind) ?? { keys: 0, bytes: 0, maxTtlSeconds: 0 };
    after.set(kind, { ...now, keys: now.keys - was.keys, bytes: now.bytes - was.bytes });
  }
  return after;
}

/** `kind bytes-per-session (keys)`, the largest first, with how long they stay when `ttl`. */
function byKind(kinds: Map<string, KeyKind>, count: number, ttl: boolean): string {
  return [...kinds]
    .filter(([, k]) => Math.abs(k.bytes / count) >= 1)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([kind, k]) => {
      const stays = !ttl ? '' : k.maxTtlSeconds < 0 ? ', kept' : `, gone within ${num(k.maxTtlSeconds)} s`;
      return `${kind} ${num(k.bytes / count)} B (${num(k.keys)} keys${stays})`;
    })
    .join(', ');
}

/** Phase (c): Redis bytes per open session, and by kind of key. */
export async function sessionMemory(port: number, redis: RedisClient, count: number): Promise<SessionMemory> {
  const memory = await memoryPerSession(port, redis, count);
  console.log(
    `  (c) Redis memory, ${num(memory.count)} sessions opened (CCR-I) and held: ${num(memory.open)} bytes per open session ` +
      `(data ${num(memory.data)}, voice ${num(memory.voice)}); after their CCR-T, ${num(memory.afterTermination)} bytes ` +
      `per session stay (operation ids and session records kept for retransmissions, ledger, CDR: see below)` +
      (memory.refusals.size
        ? `; refusals: ${[...memory.refusals].map(([c, n]) => `${c} x ${n}`).join(', ')}`
        : ''),
  );
  console.log(
    `      growth by kind of key (new keys), per open session: ${byKind(memory.breakdown, memory.count, false)}`,
  );
  console.log(
    `      left per session after CCR-T in keys of its own (for retransmissions): ${byKind(memory.leftover, memory.count, true)}`,
  );
  return memory;
}
