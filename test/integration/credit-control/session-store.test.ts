/**
 * SessionStore.save on a real Redis: what one request writes about its session, in one script
 * call on one Redis; in a cluster the keys of other slots are left to commands of their own.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { GuardFailedError } from '../../../src/balance/index.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import type { SessionRecord } from '../../../src/credit-control/session-record.js';
import { SessionStore } from '../../../src/credit-control/sessions.js';

const prefix = `t-sess-${randomUUID().slice(0, 8)}:`;
const redis = new Redis(inject('redisUrl'));
const keys = new SessionKeys(prefix);
afterAll(async () => {
  const leftovers = await redis.keys(`${prefix}*`);
  if (leftovers.length) await redis.del(...leftovers);
  redis.disconnect();
});

let n = 0;
function record(state: 'open' | 'closed' = 'open'): SessionRecord {
  n++;
  return {
    sessionId: `pgw.example;${n}`,
    msisdn: `86138000${String(n).padStart(5, '0')}`,
    kind: 'data',
    tariff: 'std',
    currency: 'CNY',
    state,
    lastNumber: 0,
    lastType: 'initial',
    lastAnswer: { resultCode: 2001, services: [] },
    startedAt: 1000,
    updatedAt: 1000,
    reserved: [10],
    used: {},
    amounts: {},
    levels: [],
  };
}

/** The same connection, seen as a cluster client; records the keys of every script call. */
function asCluster(scriptKeys: string[][]): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'isCluster') return true;
      if (property === 'ocsSessionSave')
        return (count: number, ...rest: (string | number)[]) => {
          scriptKeys.push(rest.slice(0, count).map(String));
          return target.ocsSessionSave(count, ...rest);
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe.each([
  ['one Redis', () => ({ client: redis, scriptKeys: undefined })],
  [
    'a cluster',
    () => {
      const scriptKeys: string[][] = [];
      return { client: asCluster(scriptKeys), scriptKeys };
    },
  ],
])('SessionStore.save on %s', (_, setup) => {
  it('opens a session: its record, its owner and its supervision time', async () => {
    const { client, scriptKeys } = setup();
    const sessions = new SessionStore(client, keys);
    const r = record();
    await sessions.save(r, { ttlSeconds: 100, superviseUntilMs: 5000, ownerTtlSeconds: 200 });

    expect(await sessions.load(r.msisdn, r.sessionId)).toEqual(r);
    expect(await sessions.ownerOf(r.sessionId)).toBe(r.msisdn);
    expect(await redis.ttl(keys.session(r.msisdn, r.sessionId))).toBeGreaterThan(90);
    expect(await redis.ttl(keys.sessionOwner(r.sessionId))).toBeGreaterThan(190);
    expect(await sessions.due(5000, 1000)).toContainEqual({ msisdn: r.msisdn, sessionId: r.sessionId });
    expect(await sessions.due(4999, 1000)).not.toContainEqual({ msisdn: r.msisdn, sessionId: r.sessionId });
    // A cluster script may only name keys of one slot: the account's.
    for (const named of scriptKeys ?? []) for (const key of named) expect(key).toContain(`{${r.msisdn}}`);
  });

  it('closes a session: its record, its CDR, and off supervision', async () => {
    const { client } = setup();
    const sessions = new SessionStore(client, keys);
    const r = record();
    await sessions.save(r, { ttlSeconds: 100, superviseUntilMs: 5000, ownerTtlSeconds: 200 });
    const closed: SessionRecord = { ...r, state: 'closed', closeReason: 'termination', reserved: [] };
    const id = await sessions.save(closed, {
      ttlSeconds: 30,
      unsupervise: true,
      ownerTtlSeconds: 30,
      cdr: { maxLen: 100, entry: JSON.stringify({ sessionId: r.sessionId }) },
    });

    expect(id).toMatch(/^\d+-\d+$/);
    const stream = await redis.xrange(keys.cdrs(r.msisdn), '-', '+');
    expect(stream).toEqual([[id, ['cdr', JSON.stringify({ sessionId: r.sessionId })]]]);
    expect(await sessions.load(r.msisdn, r.sessionId)).toEqual(closed);
    expect(await redis.ttl(keys.sessionOwner(r.sessionId))).toBeLessThanOrEqual(30);
    expect(await sessions.due(Number.MAX_SAFE_INTEGER, 100_000)).not.toContainEqual({
      msisdn: r.msisdn,
      sessionId: r.sessionId,
    });
  });

  it('moves a supervision time only while the session is supervised', async () => {
    const { client } = setup();
    const sessions = new SessionStore(client, keys);
    const r = record();
    await sessions.save(r, { ttlSeconds: 100, superviseUntilMs: 5000 });
    await sessions.resupervise(r.msisdn, r.sessionId, 9000);
    expect(await redis.zscore(keys.supervision(), `${r.msisdn}|${r.sessionId}`)).toBe('9000');

    await sessions.unsupervise(r.msisdn, r.sessionId);
    await sessions.resupervise(r.msisdn, r.sessionId, 12_000);
    expect(await redis.zscore(keys.supervision(), `${r.msisdn}|${r.sessionId}`)).toBeNull();
  });

  it('remembers the record it wrote while the session is open, and writes over it only if it is still the one in Redis', async () => {
    const { client } = setup();
    const sessions = new SessionStore(client, keys);
    const r = record();
    await sessions.save(r, { ttlSeconds: 100, superviseUntilMs: 5000 });
    const recalled = sessions.recall(r.sessionId, r.msisdn)!;
    expect(recalled.record).toEqual(r);
    expect(sessions.recall(r.sessionId, '8613899999999')).toBeUndefined();
    expect(await redis.get(recalled.guard.key)).toBe(recalled.guard.value);

    // Another instance writes the session meanwhile: a write expecting the old record fails.
    const elsewhere = { ...r, lastNumber: 1, updatedAt: 2000 };
    await new SessionStore(client, keys).save(elsewhere, { ttlSeconds: 100 });
    await expect(
      sessions.save(
        { ...r, lastNumber: 1, updatedAt: 3000 },
        { ttlSeconds: 100, expect: recalled.guard.value },
      ),
    ).rejects.toThrow(GuardFailedError);
    expect(await sessions.load(r.msisdn, r.sessionId)).toEqual(elsewhere);
    expect(sessions.recall(r.sessionId)).toBeUndefined();

    // Closed, it is no longer kept in memory.
    const fresh = await sessions.load(r.msisdn, r.sessionId);
    await sessions.save({ ...fresh!, state: 'closed' }, { ttlSeconds: 30 });
    expect(sessions.recall(r.sessionId)).toBeUndefined();
  });
});
