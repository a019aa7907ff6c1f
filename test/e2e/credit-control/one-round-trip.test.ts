/**
 * A request of one rating group is one Redis command (DESIGN §5): the charging call writes the
 * session record, its CDR and its supervision entry. What the server sends is watched with
 * MONITOR (only the commands naming this test's keys). The record such a call writes still
 * serves another instance: a retransmission there gets the first answer and charges nothing
 * twice (RFC 4006 §5.1), and the next request and the CDR count the call's charge.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  CCR,
  CONTEXT,
  CREDIT_CONTROL,
  CcSession,
  MiB,
  mscc,
  msccResults,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import type { TestPeer } from '../../support/diameter-peer.js';

let ocs: OcsFixture;
let monitor: Redis;
let second: { peer: TestPeer };
const seen: string[][] = [];

beforeAll(async () => {
  ocs = await startOcs({ settings: { data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 } } });
  await ocs.provision(`
bundles:
  - id: data-3m
    fee: 200
    units: { octets: ${3 * MiB} }
    appliesTo: { service: data, ratingGroups: ['10'] }
    validity: { days: 30 }
`);
  second = await ocs.secondInstance();
  monitor = await ocs.redis.duplicate().monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    // Commands a script runs are 'lua'; the server's own come from its connection.
    if (source !== 'lua' && args.some((a) => a.includes(ocs.prefix))) seen.push(args);
  });
});
afterAll(async () => {
  monitor.disconnect();
  await ocs.close();
});

/** Scripts and the writes a session save used to make on its own. */
const WRITES = new Set(['fcall', 'evalsha', 'eval', 'set', 'zadd', 'zrem', 'xadd']);

/**
 * The scripts and writes naming this test's keys that `send` made the server run; with
 * `msisdn`, every command naming the account, reads included.
 */
async function commandsOf(send: () => Promise<unknown>, msisdn?: string): Promise<string[]> {
  // A command of this test's own, seen after the request's, marks where they end.
  await send();
  const marker = `${ocs.prefix}marker:${seen.length}`;
  await ocs.redis.exists(marker);
  await expect.poll(() => seen.some((args) => args.includes(marker))).toBe(true);
  const at = seen.findIndex((args) => args.includes(marker));
  // Reads of rating data (its caches load in the background) are not the request's writes.
  const commands = seen
    .slice(0, at)
    .filter((args) => msisdn === undefined || args.some((a) => a.includes(msisdn)))
    .map((args) => args[0]!.toLowerCase())
    .filter((c) => msisdn !== undefined || WRITES.has(c));
  seen.length = 0;
  return commands;
}

describe('one Redis command per request of one rating group', () => {
  it('CCR-I is two FCALLs, reads included; CCR-U and CCR-T are one FCALL each', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    // MONITOR lags behind: the commands of what came before are drained first.
    await commandsOf(async () => undefined);
    // Authenticate, then the apply that writes the record: the record is not read first.
    expect(await commandsOf(() => s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]), msisdn)).toEqual([
      'fcall',
      'fcall',
    ]);
    expect(
      await commandsOf(() => s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })])),
    ).toEqual(['fcall']);
    expect(await commandsOf(() => s.terminate([mscc(10, { usu: [[octets(MiB)]] })]))).toEqual(['fcall']);
    expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 0, spent: 60 });
    expect(await ocs.cdrs(msisdn)).toMatchObject([
      { reason: 'termination', used: { '10': 2 * MiB }, amounts: { money: 60 }, resultCode: 2001 },
    ]);
    expect(await ocs.redis.zscore(`${ocs.prefix}sess-supervision`, `${msisdn}|${s.id}`)).toBeNull();
  });

  it('a CCR-U of an account holding a bundle is one command, reads included', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const bought = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/v1/accounts/${msisdn}/bundles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bundle: 'data-3m', reference: 'order-1' }),
    });
    expect(bought.status).toBe(201);
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    // MONITOR lags behind: the commands of what came before are drained first.
    await commandsOf(async () => undefined);
    expect(
      await commandsOf(() => s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]), msisdn),
    ).toEqual(['fcall']);
    const bucket = Object.keys((await ocs.server.store.getAccount(msisdn))!.buckets).find(
      (b) => b !== 'money',
    )!;
    expect((await ocs.server.store.getAccount(msisdn))!.buckets[bucket]).toEqual({
      available: MiB,
      reserved: MiB,
      spent: MiB,
    });
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
  });

  it('a CCR-I that opens without reading its record is answered from it when the session exists', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const initial = s.build('initial', [mscc(10, { rsu: [octets(2 * MiB)] })], 0);
    s.number = 1;
    const first = await ocs.send(initial);
    const again = await second.peer.request(CCR, CREDIT_CONTROL, initial, { retransmitted: true });
    expect(msccResults(again)).toEqual(msccResults(first));
    expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 60, spent: 0 });

    await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })]);
    // The same CCR-I once the session has gone on: out of order, as the record says (RFC 4006 §5.1).
    const late = await second.peer.request(CCR, CREDIT_CONTROL, initial, { retransmitted: true });
    expect(late.get('Result-Code')).toBe(5004);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 60, spent: 30 });
    const end = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })], second.peer);
    expect(end.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 0, spent: 60 });
  });

  it('a CCR-I that rates nothing, sent again in an open session, leaves the session as it is', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const initial = s.build('initial', [mscc(10, { rsu: [octets(MiB)] })], 0);
    s.number = 1;
    await ocs.send(initial);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    // Rated now under a tariff without data, the request makes no charging call to carry its record.
    const account = `${ocs.prefix}acct:{${msisdn}}`;
    await ocs.redis.hset(account, 'tariff', 'voice-only');
    const late = await second.peer.request(CCR, CREDIT_CONTROL, initial, { retransmitted: true });
    expect(late.get('Result-Code')).toBe(5004);
    await ocs.redis.hset(account, 'tariff', 'std');
    const end = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    expect(end.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 940, reserved: 0, spent: 60 });
  });

  it("a call's result is kept in the record it wrote, then a minute under its id, and what a closed session leaves expires with it", async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const op = (n: number, step: string) => `${ocs.prefix}op:{${msisdn}}:${s.id}#${n}#${step}:10`;
    const session = `${ocs.prefix}sess:{${msisdn}}:${s.id}`;
    const kept = async () => (JSON.parse((await ocs.redis.get(session))!) as { x?: unknown[] }).x;
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    // No key of its own while the session is open: the record holds the apply's result.
    expect(await ocs.redis.exists(op(0, 'apply'))).toBe(0);
    expect(await kept()).toEqual([MiB, 0, expect.any(Number), ['money', 1, 30], 970]);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    // Replaced, the apply's result stays a minute under its id, for a copy of the CCR-I in flight.
    expect(await ocs.redis.ttl(op(0, 'apply'))).toBeGreaterThan(0);
    expect(await ocs.redis.ttl(op(0, 'apply'))).toBeLessThanOrEqual(60);
    expect(await ocs.redis.exists(op(1, 'settle'))).toBe(0);
    expect(await kept()).toHaveLength(13);

    // A copy of the CCR-U that read the record before the next write replays its first result.
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    const before = await ocs.balance(msisdn);
    const again = await ocs.server.store.settle({
      opId: `${s.id}#1#settle:10`,
      msisdn,
      sessionId: s.id,
      ratingGroup: 10,
      nowMs: ocs.clock.ms,
      used: MiB,
      units: MiB,
      tiers: [{ bucket: 'money', unitSize: MiB, pricePerUnit: 30 }],
      expiresAtMs: ocs.clock.ms + 600_000,
    });
    expect(again).toMatchObject({ settled: true, charged: MiB, amounts: { money: 30 }, granted: MiB });
    expect(await ocs.balance(msisdn)).toEqual(before);

    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
    const closed = await ocs.redis.ttl(session);
    expect(closed).toBeLessThanOrEqual(300);
    expect(await ocs.redis.ttl(op(2, 'settle'))).toBeLessThanOrEqual(60);
    expect(await ocs.redis.exists(op(3, 'settle'))).toBe(0);
    // Read after the results would have gone, the record is whole.
    expect(await ocs.cdrs(msisdn)).toMatchObject([{ used: { '10': 3 * MiB }, amounts: { money: 90 } }]);
  });

  it("a save that replaces a record its call wrote keeps that call's result a minute under its id", async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    // Two rating groups: two charging calls, then the record saved on its own.
    await s.update([
      mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] }),
      mscc(20, { rsu: [octets(MiB)] }),
    ]);
    const ttl = await ocs.redis.ttl(`${ocs.prefix}op:{${msisdn}}:${s.id}#0#apply:10`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] }), mscc(20, { usu: [[octets(MiB)]] })]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 930, reserved: 0, spent: 70 });
  });

  it('another instance answers a retransmission as first answered, and goes on from its charge', async () => {
    const msisdn = await ocs.account({ balance: 1000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
    const update = s.build('update', [mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })], 1);
    s.number = 2;
    const first = await ocs.send(update);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 60, spent: 30 });

    const again = await second.peer.request(CCR, CREDIT_CONTROL, update, { retransmitted: true });
    expect(again.get('Result-Code')).toBe(2001);
    expect(msccResults(again)).toEqual(msccResults(first));
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 60, spent: 30 });

    await s.update([mscc(10, { rsu: [octets(2 * MiB)], usu: [[octets(MiB)]] })], second.peer);
    const end = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })], second.peer);
    expect(end.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 910, reserved: 0, spent: 90 });
    expect(await ocs.cdrs(msisdn)).toMatchObject([
      { reason: 'termination', used: { '10': 3 * MiB }, amounts: { money: 90 } },
    ]);
  });
});
