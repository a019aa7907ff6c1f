/**
 * The monthly run's bundles step on the run's Redis: a calendar-month bundle is bought again for
 * the new month when its fee can be paid (once, however often the run is repeated), stays
 * unpaid until a later run of the month can pay it, lapses after a month unpaid; ended bundles
 * are cleared.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AccountBundles } from '../../../src/bundles/account-bundles.js';
import { BundleCatalog } from '../../../src/bundles/catalog.js';
import { bundleSchema } from '../../../src/catalog/bundles.js';
import { VpnRegistry } from '../../../src/vpn/registry.js';
import { balanceFixture, msisdn } from '../balance/fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const bundles = new AccountBundles(f.redis, f.store);
const registry = new VpnRegistry({ redis: f.redis, keyPrefix: f.prefix, store: f.store });
const MARCH_10 = Date.UTC(2026, 2, 10, 12);
const APRIL_1 = Date.UTC(2026, 3, 1, 0, 5);
const MAY_1 = Date.UTC(2026, 4, 1, 0, 5);
const monthly = bundleSchema.parse({
  id: 'mins-100',
  fee: 500,
  units: { seconds: 6000 },
  appliesTo: { service: 'voice' },
  validity: { calendarMonth: true },
});
const weekly = bundleSchema.parse({
  id: 'data-wk',
  fee: 100,
  units: { octets: 1000 },
  appliesTo: { service: 'data' },
  validity: { days: 7 },
});

async function customer(balance: number): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets: { money: balance } }, MARCH_10);
  await bundles.add({ msisdn: m, bundle: monthly, opId: 'buy', nowMs: MARCH_10 });
  return m;
}

describe('the monthly run renews calendar-month bundles', () => {
  it('buys the bundle again for the new month, once however often it runs, and clears the ended one', async () => {
    await new BundleCatalog(f.redis, f.prefix).put(monthly);
    const m = await customer(1200);
    await bundles.add({ msisdn: m, bundle: weekly, opId: 'buy-wk', nowMs: MARCH_10 });
    const run = await registry.monthlyRun('2026-04', APRIL_1);
    expect(run.failed).toEqual([]);
    expect(run.bundles).toMatchObject({ renewed: 1, unpaid: 0, lapsed: 0 });
    expect(run.bundles.expired).toBeGreaterThanOrEqual(2);
    const held = await bundles.held(m, APRIL_1);
    expect(held).toMatchObject([
      {
        bundle: 'mins-100',
        units: 6000,
        available: 6000,
        startsAtMs: APRIL_1,
        endsAtMs: Date.UTC(2026, 4, 1),
      },
    ]);
    expect(await bundles.holdings(m)).toHaveLength(1);
    const money = () => f.store.getAccount(m).then((a) => a!.buckets.money);
    expect(await money()).toEqual({ available: 1200 - 500 - 100 - 500, reserved: 0, spent: 1100 });

    const again = await registry.monthlyRun('2026-04', APRIL_1 + 3_600_000);
    expect(again.bundles).toMatchObject({ renewed: 0, unpaid: 0, lapsed: 0 });
    expect(await money()).toEqual({ available: 100, reserved: 0, spent: 1100 });
    expect(await bundles.renewals(m)).toEqual(new Map([['mins-100', '2026-04']]));
  });

  it('leaves an unpaid renewal for a later run of the month, and lets it lapse after a month unpaid', async () => {
    await new BundleCatalog(f.redis, f.prefix).put(monthly);
    const m = await customer(700);
    expect((await registry.monthlyRun('2026-04', APRIL_1)).bundles.unpaid).toBeGreaterThanOrEqual(1);
    expect(await bundles.held(m, APRIL_1)).toEqual([]);
    await f.store.topup({ opId: 'top', msisdn: m, amount: 300, nowMs: APRIL_1 });
    expect((await registry.monthlyRun('2026-04', APRIL_1 + 86_400_000)).bundles.renewed).toBe(1);
    expect(await bundles.held(m, APRIL_1 + 86_400_000)).toMatchObject([
      { bundle: 'mins-100', available: 6000 },
    ]);

    // Not paid in May (no money): in June the renewal has lapsed.
    await registry.monthlyRun('2026-05', MAY_1);
    expect(await bundles.held(m, MAY_1)).toEqual([]);
    expect(await bundles.renewals(m)).toEqual(new Map([['mins-100', '2026-04']]));
    await f.store.topup({ opId: 'top2', msisdn: m, amount: 5000, nowMs: MAY_1 });
    const june = await registry.monthlyRun('2026-06', Date.UTC(2026, 5, 1, 0, 5));
    expect(june.bundles.renewed).toBe(0);
    expect(june.bundles.lapsed).toBeGreaterThanOrEqual(1);
    expect(await bundles.held(m, Date.UTC(2026, 5, 1, 0, 5))).toEqual([]);
    expect(await bundles.renewals(m)).toEqual(new Map());
  });
});
