/**
 * The simulator's money check sums balances over every account of a run. With large balances
 * that sum passes 2^53, where adding numbers rounds: a run that moved no money would seem to
 * have made or lost some. The snapshot's sums are exact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { change, balanceSnapshot, totalOf } from '../../../src/simulator/provision.js';
import { balanceFixture } from '../balance/fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const FIRST = 8613900000100;
const COUNT = 40;
/** Balances whose sum past 2^53 a number cannot hold exactly. */
const BALANCE = 900_000_000_000_001;

describe('balanceSnapshot', () => {
  it('sums balances past 2^53 exactly, so an unchanged set of accounts shows no change', async () => {
    const now = Date.now();
    for (let i = 0; i < COUNT; i++)
      await f.store.upsertAccount(
        { msisdn: String(FIRST + i), buckets: { money: BALANCE + i * 1_234_567 } },
        now,
      );
    const ranges = [
      { first: String(FIRST), count: COUNT, balance: 0, prepaid: true, status: 'active' as const },
    ];
    const exact = Array.from({ length: COUNT }, (_, i) => BigInt(BALANCE + i * 1_234_567)).reduce(
      (a, b) => a + b,
    );
    // The premise: adding these as numbers does round.
    const rounded = Array.from({ length: COUNT }, (_, i) => BALANCE + i * 1_234_567).reduce((a, b) => a + b);
    expect(BigInt(rounded)).not.toBe(exact);

    const before = await balanceSnapshot({ store: f.store }, ranges, new Set());
    expect(before.accounts).toBe(COUNT);
    expect(totalOf(before)).toBe(exact);
    const after = await balanceSnapshot({ store: f.store }, ranges, new Set());
    expect(change(totalOf(after), totalOf(before))).toBe(0);
  });
});
