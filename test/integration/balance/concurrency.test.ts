/**
 * Many sessions of ONE account at once, from several connections (as several server instances
 * would), with and without replayed operation ids. After every run: available + reserved +
 * spent == initial + top-ups for every bucket, nothing stays reserved, nothing went below zero
 * at any point, and the ledger sums to the same figures.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BalanceStore, CreditLimitReachedError, type Tier } from '../../../src/balance/index.js';
import { balanceFixture, FREE_CREDIT, FREE_SECONDS, msisdn, VOICE, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const CLIENTS = 8;
const SESSIONS = 600;
const TOPUPS = 40;
const BUCKETS = ['money', FREE_SECONDS, FREE_CREDIT];
const INITIAL: Record<string, number> = { money: 20_000, [FREE_SECONDS]: 6_000, [FREE_CREDIT]: 500 };
const NOW = 1_790_000_000_000;

const clients = Array.from({ length: CLIENTS }, () => f.connect());
const stores = clients.map(
  (redis) => new BalanceStore({ redis, keyPrefix: f.prefix, ledgerMaxLen: 1_000_000 }),
);

/** mulberry32: a small seeded generator, so every run is planned the same way. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = { ok: unknown } | { error: string };
const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (ok) => ({ ok }),
    (e: Error) => ({ error: `${e.name}: ${e.message}` }),
  );

interface Plan {
  seed: number;
  flow: 'apply-deduct-return' | 'settle';
  replayRate: number;
}

async function run(plan: Plan): Promise<{ granted: number; refused: number; replays: number }> {
  const rng = random(plan.seed);
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets: INITIAL }, NOW);
  const topups: Record<string, number> = {};
  const spent: Record<string, number> = {};
  const late: Promise<void>[] = [];
  let replays = 0;
  let granted = 0;
  let refused = 0;

  /**
   * Runs a call; by plan, also replays it at the same time and/or later (a retransmission that
   * arrives after the next request), and checks every replay answers exactly as the first.
   */
  const call = async <T>(fn: () => Promise<T>, replayNow: boolean, replayLate: number): Promise<T> => {
    const first = fn();
    if (replayNow) {
      replays += 1;
      const [a, b] = await Promise.all([outcome(first), outcome(fn())]);
      expect(b).toEqual(a);
    }
    if (replayLate > 0) {
      replays += 1;
      late.push(
        (async () => {
          const a = await outcome(first);
          await sleep(replayLate);
          expect(await outcome(fn())).toEqual(a);
        })(),
      );
    }
    return first;
  };

  const addAll = (into: Record<string, number>, amounts: Record<string, number>) => {
    for (const [k, v] of Object.entries(amounts)) into[k] = (into[k] ?? 0) + v;
  };

  const sessions = Array.from({ length: SESSIONS }, (_, i) => {
    // everything random is drawn here, before anything runs
    const store = stores[i % CLIENTS] as BalanceStore;
    const tiers: Tier[] = rng() < 0.6 ? VPN_TIERS : VOICE;
    const units = 60 + Math.floor(rng() * 900);
    const fractions = [rng() * 1.3, rng() * 1.3];
    const replayNow = [0, 1, 2].map(() => rng() < plan.replayRate);
    const replayLate = [0, 1, 2].map(() => (rng() < plan.replayRate ? 1 + Math.floor(rng() * 20) : 0));
    const delays = [0, 1, 2].map(() => Math.floor(rng() * 4));
    const sessionId = `run${plan.seed};${i}`;
    const ref = { msisdn: m, sessionId, ratingGroup: i % 3, nowMs: NOW + i };
    const expiresAtMs = NOW + 3_600_000;

    return async () => {
      await sleep(delays[0] ?? 0);
      if (plan.flow === 'apply-deduct-return') {
        let got;
        try {
          got = await call(
            () => store.apply({ ...ref, opId: `${sessionId}#0#apply`, tiers, units, expiresAtMs }),
            replayNow[0] ?? false,
            replayLate[0] ?? 0,
          );
        } catch (err) {
          expect(err).toBeInstanceOf(CreditLimitReachedError);
          refused += 1;
          return;
        }
        granted += 1;
        expect(got.moneyAvailable).toBeGreaterThanOrEqual(0);
        await sleep(delays[1] ?? 0);
        const used = Math.floor(got.granted * (fractions[0] ?? 0));
        const d = await call(
          () => store.deduct({ ...ref, opId: `${sessionId}#1#deduct`, used }),
          replayNow[1] ?? false,
          replayLate[1] ?? 0,
        );
        addAll(spent, d.amounts);
        await sleep(delays[2] ?? 0);
        await call(
          () => store.release({ ...ref, opId: `${sessionId}#2#return` }),
          replayNow[2] ?? false,
          replayLate[2] ?? 0,
        );
      } else {
        // CCR-I, CCR-U, CCR-T: one settle each
        const first = await call(
          () => store.settle({ ...ref, opId: `${sessionId}#0`, used: 0, units, tiers, expiresAtMs }),
          replayNow[0] ?? false,
          replayLate[0] ?? 0,
        );
        if (first.creditLimitReached) {
          refused += 1;
          return;
        }
        granted += 1;
        await sleep(delays[1] ?? 0);
        const update = await call(
          () =>
            store.settle({
              ...ref,
              opId: `${sessionId}#1`,
              used: Math.floor(first.granted * (fractions[0] ?? 0)),
              units,
              tiers,
              expiresAtMs,
            }),
          replayNow[1] ?? false,
          replayLate[1] ?? 0,
        );
        addAll(spent, update.amounts);
        await sleep(delays[2] ?? 0);
        const end = await call(
          () =>
            store.settle({
              ...ref,
              opId: `${sessionId}#2`,
              used: Math.floor(update.granted * (fractions[1] ?? 0)),
            }),
          replayNow[2] ?? false,
          replayLate[2] ?? 0,
        );
        addAll(spent, end.amounts);
      }
    };
  });

  const topupRuns = Array.from({ length: TOPUPS }, (_, i) => {
    const store = stores[i % CLIENTS] as BalanceStore;
    const bucket = rng() < 0.75 ? 'money' : FREE_SECONDS;
    const amount = 1 + Math.floor(rng() * 2000);
    const delay = Math.floor(rng() * 30);
    const replayNow = rng() < plan.replayRate;
    const replayLate = rng() < plan.replayRate ? 1 + Math.floor(rng() * 20) : 0;
    return async () => {
      await sleep(delay);
      await call(
        () => store.topup({ opId: `run${plan.seed};topup${i}`, msisdn: m, bucket, amount, nowMs: NOW + i }),
        replayNow,
        replayLate,
      );
      topups[bucket] = (topups[bucket] ?? 0) + amount;
    };
  });

  await Promise.all([...sessions, ...topupRuns].map((go) => go()));
  await Promise.all(late);

  // the account
  const view = await f.store.getAccount(m);
  for (const name of BUCKETS) {
    const b = view?.buckets[name] ?? { available: 0, reserved: 0, spent: 0 };
    expect(b.available + b.reserved + b.spent, name).toBe((INITIAL[name] ?? 0) + (topups[name] ?? 0));
    expect(b.reserved, name).toBe(0);
    expect(b.available, name).toBeGreaterThanOrEqual(0);
    expect(b.spent, name).toBe(spent[name] ?? 0);
  }
  expect(await f.store.listReservations(m)).toEqual([]);

  // the ledger, replayed entry by entry in the order Redis ran the scripts
  const entries = await f.store.readLedger(m, { count: 1_000_000 });
  const sums: Record<string, { available: number; reserved: number; spent: number }> = {};
  const seen = new Set<string>();
  let topupEntries = 0;
  for (const e of entries) {
    const key = `${e.opId}/${e.op}`;
    expect(seen.has(key), `ledger entry written twice: ${key}`).toBe(false);
    seen.add(key);
    if (e.op === 'topup') topupEntries += 1;
    for (const [name, d] of Object.entries(e.deltas)) {
      const s = (sums[name] ??= { available: 0, reserved: 0, spent: 0 });
      s.available += d.available;
      s.reserved += d.reserved;
      s.spent += d.spent;
      expect(s.available, `${name} available after ${key}`).toBeGreaterThanOrEqual(0);
      expect(s.reserved, `${name} reserved after ${key}`).toBeGreaterThanOrEqual(0);
    }
    expect(e.moneyAvailableAfter).toBe(sums.money?.available);
  }
  expect(topupEntries).toBe(TOPUPS);
  for (const name of BUCKETS) {
    expect(sums[name], name).toEqual(view?.buckets[name]);
  }

  // replays and refusals may leave index entries without a reservation: the sweeper drops them
  const sweep = await f.store.sweepExpired(NOW + 10 * 3_600_000, 100_000);
  expect(sweep.expired).toBe(0);
  expect(await f.indexScore(m, 'none')).toBeNull();
  return { granted, refused, replays };
}

describe(`${SESSIONS} concurrent sessions on one account from ${CLIENTS} connections`, () => {
  it.each([
    { seed: 1, flow: 'apply-deduct-return', replayRate: 0 },
    { seed: 2, flow: 'apply-deduct-return', replayRate: 0 },
    { seed: 3, flow: 'apply-deduct-return', replayRate: 0.3 },
    { seed: 4, flow: 'apply-deduct-return', replayRate: 0.3 },
    { seed: 5, flow: 'settle', replayRate: 0 },
    { seed: 6, flow: 'settle', replayRate: 0.3 },
  ] as Plan[])('never spends money twice: $flow, replay rate $replayRate, seed $seed', async (plan) => {
    const { granted, refused, replays } = await run(plan);
    // the account runs dry during the run, so both grants and refusals happen
    expect(granted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
    expect(granted + refused).toBe(SESSIONS);
    if (plan.replayRate > 0) expect(replays).toBeGreaterThan(300);
  });
});
