/** Open sessions, the ledger and the CDRs of an account: newest first, paged, within a time range. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChargingRecord } from '../../src/credit-control/cdr.js';
import type { SessionRecord } from '../../src/credit-control/session-record.js';
import { compareStreamIds, newestFirst } from '../../src/admin/history.js';
import { adminFixture, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

function cdr(msisdn: string, n: number): ChargingRecord {
  return {
    sessionId: `s-${n}`,
    msisdn,
    service: 'voice',
    used: { '100': 60 * n },
    amounts: { money: 15 * n },
    levels: ['pps:std:voice-mo'],
    startedAt: f.clock.ms,
    endedAt: f.clock.ms + 60_000 * n,
    resultCode: 2001,
    reason: 'termination',
  };
}

/** Writes CDRs 1..n into the stream, each with its own explicit id `<ms>-0` from `ms(i)`. */
async function cdrsAt(msisdn: string, times: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, ms] of times.entries()) {
    const id = await f.redis.xadd(
      f.sessionKeys.cdrs(msisdn),
      `${ms}-${i}`,
      'cdr',
      JSON.stringify(cdr(msisdn, i + 1)),
    );
    ids.push(id ?? '');
  }
  return ids;
}

type Item = { id: string };
const ids = (body: { items: Item[] }) => body.items.map((e) => e.id);

describe('GET /v1/accounts/{msisdn}/cdrs', () => {
  it('pages newest first; `next` leads to the following page and is null on the last', async () => {
    const msisdn = await f.account();
    const written = await cdrsAt(msisdn, [1000, 2000, 3000, 4000, 5000]);
    const first = await f.call('GET', `/v1/accounts/${msisdn}/cdrs?limit=2`);
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual([written[4], written[3]]);
    expect(first.body.next).toBe(written[3]);
    expect(first.body.items[0]).toMatchObject({
      sessionId: 's-5',
      amounts: { money: 75 },
      used: { '100': 300 },
    });
    const second = await f.call('GET', `/v1/accounts/${msisdn}/cdrs?limit=2&before=${first.body.next}`);
    expect(ids(second.body)).toEqual([written[2], written[1]]);
    const last = await f.call('GET', `/v1/accounts/${msisdn}/cdrs?limit=2&before=${second.body.next}`);
    expect(ids(last.body)).toEqual([written[0]]);
    expect(last.body.next).toBeNull();
  });

  it('selects a time range, both ends included', async () => {
    const msisdn = await f.account();
    const base = Date.UTC(2026, 2, 10);
    const written = await cdrsAt(msisdn, [base - 1, base, base + 86_400_000, base + 2 * 86_400_000]);
    const answer = await f.call(
      'GET',
      `/v1/accounts/${msisdn}/cdrs?from=2026-03-10&to=${new Date(base + 86_400_000).toISOString()}`,
    );
    expect(ids(answer.body)).toEqual([written[2], written[1]]);
    const empty = await f.call('GET', `/v1/accounts/${msisdn}/cdrs?from=2026-03-12T00:00:01Z&to=2026-03-11`);
    expect(empty.body).toEqual({ items: [], next: null });
  });

  it('pages through many entries written within one millisecond', async () => {
    const msisdn = await f.account();
    const key = f.sessionKeys.cdrs(msisdn);
    const written: string[] = [];
    for (let i = 0; i < 7; i++)
      written.push((await f.redis.xadd(key, `7000-${i}`, 'cdr', JSON.stringify(cdr(msisdn, 1))))!);
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { body: { items: Item[]; next: string | null } } = await f.call(
        'GET',
        `/v1/accounts/${msisdn}/cdrs?limit=3${before ? `&before=${before}` : ''}`,
      );
      seen.push(...ids(page.body));
      before = page.body.next;
    } while (before);
    expect(seen).toEqual([...written].reverse());
  });

  it('answers 404 for an unknown account and 400 for a bad query', async () => {
    expect((await f.call('GET', `/v1/accounts/${f.number()}/cdrs`)).body.code).toBe('ACCOUNT_NOT_FOUND');
    const msisdn = await f.account();
    for (const [query, field] of [
      ['limit=0', 'querystring.limit'],
      ['limit=1001', 'querystring.limit'],
      ['from=yesterday', 'querystring.from'],
      ['to=2026-02-30T25:00:00Z', 'querystring.to'],
      ['before=abc', 'querystring.before'],
      ['page=2', 'querystring.page'],
    ]) {
      const answer = await f.call('GET', `/v1/accounts/${msisdn}/cdrs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.problems[0].field, query).toBe(field);
    }
  });
});

describe('GET /v1/accounts/{msisdn}/ledger', () => {
  it('lists every balance change newest first, paged', async () => {
    const msisdn = await f.account(100);
    for (const reference of ['a', 'b', 'c']) {
      await f.call('POST', `/v1/accounts/${msisdn}/topups`, { body: { amount: 10, reference } });
    }
    const first = await f.call('GET', `/v1/accounts/${msisdn}/ledger?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { opId: string }) => e.opId)).toEqual(['topup:c', 'topup:b']);
    expect(first.body.items[0]).toMatchObject({
      op: 'topup',
      deltas: { money: { available: 10, reserved: 0, spent: 0 } },
      moneyAvailableAfter: 130,
      ratingGroup: null,
      extra: { ref: 'c' },
    });
    const rest = await f.call('GET', `/v1/accounts/${msisdn}/ledger?limit=2&before=${first.body.next}`);
    expect(rest.body.items.map((e: { opId: string }) => e.opId)).toEqual(['topup:a', 'provision']);
    expect(rest.body.next).toBeNull();
  });

  it('shows a CCR-U settled as one entry beside one settled as an entry per step', async () => {
    const msisdn = await f.account(1000);
    const ref = { msisdn, sessionId: 's-1', ratingGroup: 10, nowMs: f.clock.ms };
    const grant = { tiers: [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }], units: 120 };
    const expiresAtMs = f.clock.ms + 60_000;
    await f.store.apply({ ...ref, opId: 'i', ...grant, expiresAtMs });
    await f.store.deduct({ ...ref, opId: 'u1#deduct', used: 50 });
    await f.store.release({ ...ref, opId: 'u1#return' });
    await f.store.apply({ ...ref, opId: 'u1#apply', ...grant, expiresAtMs });
    await f.store.settle({ ...ref, opId: 'u2', used: 50, ...grant, expiresAtMs });
    const answer = await f.call('GET', `/v1/accounts/${msisdn}/ledger?limit=5`);
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((e: { op: string }) => e.op)).toEqual([
      'settle',
      'apply',
      'return',
      'deduct',
      'apply',
    ]);
    expect(answer.body.items[0]).toEqual({
      id: expect.any(String),
      op: 'settle',
      opId: 'u2',
      session: 's-1',
      ratingGroup: 10,
      deltas: { money: { available: -15, reserved: 0, spent: 15 } },
      moneyAvailableAfter: 1000 - 15 - 15 - 30,
      ts: f.clock.ms,
      extra: { used: '50', uncharged: '0', granted: '120' },
    });
  });
});

describe('GET /v1/accounts/{msisdn}/sessions', () => {
  it('lists the open sessions and the reservations holding money', async () => {
    const msisdn = await f.account(1000);
    const base: Omit<SessionRecord, 'sessionId' | 'state'> = {
      msisdn,
      kind: 'voice',
      tariff: 'std',
      currency: 'CNY',
      lastNumber: 0,
      lastType: 'initial',
      lastAnswer: { resultCode: 2001, services: [] },
      startedAt: f.clock.ms,
      updatedAt: f.clock.ms,
      reserved: [100],
      used: {},
      amounts: {},
      levels: [],
    };
    await f.sessions.save(
      { ...base, sessionId: 'open-1', state: 'open' },
      { ttlSeconds: 600, superviseUntilMs: f.clock.ms + 600_000 },
    );
    await f.sessions.save({ ...base, sessionId: 'closed-1', state: 'closed' }, { ttlSeconds: 600 });
    await f.store.apply({
      opId: 'a1',
      msisdn,
      sessionId: 'open-1',
      ratingGroup: 100,
      nowMs: f.clock.ms,
      tiers: [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }],
      units: 120,
      expiresAtMs: f.clock.ms + 600_000,
    });
    const answer = await f.call('GET', `/v1/accounts/${msisdn}/sessions`);
    expect(answer.status).toBe(200);
    expect(answer.body.sessions).toHaveLength(1);
    expect(answer.body.sessions[0]).toMatchObject({
      sessionId: 'open-1',
      state: 'open',
      kind: 'voice',
      reserved: [100],
    });
    expect(answer.body.sessions[0].lastAnswer).toBeUndefined();
    expect(answer.body.reservations).toEqual([
      {
        sessionId: 'open-1',
        ratingGroup: 100,
        expiresAtMs: f.clock.ms + 600_000,
        units: 120,
        tiers: [{ bucket: 'money', units: 2, amount: 30, unitSize: 60, pricePerUnit: 15 }],
      },
    ]);
    expect((await f.call('GET', `/v1/accounts/${f.number()}/sessions`)).status).toBe(404);
  });
});

describe('newestFirst', () => {
  it('orders stream ids by time then sequence', () => {
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareStreamIds('10-1', '10-1')).toBe(0);
  });

  it('reads again, longer, when the cursor’s millisecond hides the rest of the page', async () => {
    const all = Array.from({ length: 20 }, (_, i) => ({ id: `5-${19 - i}` }));
    const reads: number[] = [];
    const read = async (count: number) => {
      reads.push(count);
      return all.slice(0, count);
    };
    const page = await newestFirst(read, { limit: 3, before: '5-10' });
    expect(page.items.map((e) => e.id)).toEqual(['5-9', '5-8', '5-7']);
    expect(page.next).toBe('5-7');
    expect(reads).toEqual([4, 8, 16]);
    const near = await newestFirst(read, { limit: 3, before: '5-17' });
    expect(near.items.map((e) => e.id)).toEqual(['5-16', '5-15', '5-14']);
  });
});
