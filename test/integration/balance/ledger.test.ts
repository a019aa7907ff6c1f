import { afterAll, describe, expect, it } from 'vitest';
import { balanceFixture, msisdn } from './fixture.js';

const f = balanceFixture({ ledgerMaxLen: 50 });
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;

describe('ledger', () => {
  it('is capped near ledgerMaxLen (XADD MAXLEN ~)', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m });
    await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        f.store.topup({ opId: `t${i}`, msisdn: m, amount: 1, nowMs: NOW + i }),
      ),
    );
    const length = await f.redis.xlen(f.store.keys.account(m).ledger);
    // trimming is by whole stream nodes (100 entries by default), so the cap is approximate
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThanOrEqual(150);
    const last = (await f.store.readLedger(m, { count: 1000 })).at(-1);
    expect(last).toMatchObject({ op: 'topup', moneyAvailableAfter: 600 });
  });

  it('pages with fromId (exclusive), oldest first', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m });
    for (let i = 0; i < 5; i++) await f.store.topup({ opId: `p${i}`, msisdn: m, amount: 10, nowMs: NOW + i });
    const first = await f.store.readLedger(m, { count: 3 });
    // no opening balance, so no 'provision' entry: the ledger records changes only
    expect(first.map((e) => e.opId)).toEqual(['p0', 'p1', 'p2']);
    const rest = await f.store.readLedger(m, { count: 10, fromId: first.at(-1)?.id });
    expect(rest.map((e) => [e.opId, e.moneyAvailableAfter, e.ts])).toEqual([
      ['p3', 40, NOW + 3],
      ['p4', 50, NOW + 4],
    ]);
  });

  it('is empty for an unknown account', async () => {
    await expect(f.store.readLedger(msisdn())).resolves.toEqual([]);
  });
});
