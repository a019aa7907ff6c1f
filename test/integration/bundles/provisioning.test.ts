/**
 * The provisioning document's `bundles` and `accounts[].bundles` on the run's Redis: bundles on
 * sale, given to accounts from now with the fee from their money, nothing twice when the
 * document is loaded again, and every bad field named by its path with nothing written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AccountBundles } from '../../../src/bundles/account-bundles.js';
import { BundleCatalog } from '../../../src/bundles/catalog.js';
import { TariffCatalog } from '../../../src/catalog/tariffs.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import { provision, type ProvisioningDeps } from '../../../src/provisioning/apply.js';
import { ProvisioningError } from '../../../src/provisioning/document.js';
import { balanceFixture, msisdn } from '../balance/fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const deps: ProvisioningDeps = {
  redis: f.redis,
  store: f.store,
  catalog: new TariffCatalog(f.redis, f.prefix),
  sessionKeys: new SessionKeys(f.prefix),
};
const accountBundles = new AccountBundles(f.redis, f.store);
const NOW = Date.UTC(2026, 2, 10, 12);

const doc = (m: string, balance: number, bundles = '[{ bundle: data-5g }]') => `
tariffs:
  - id: std
    currency: CNY
    data: { ratingGroups: { '10': { unitOctets: 1048576, pricePerUnit: 30 } } }
bundles:
  - id: data-5g
    fee: 3000
    units: { octets: 5368709120 }
    appliesTo: { service: data, ratingGroups: ['10'] }
    validity: { days: 30 }
  - id: data-month
    fee: 1000
    units: { octets: 1073741824 }
    appliesTo: { service: data }
    validity: { calendarMonth: true }
accounts:
  - msisdn: '${m}'
    tariff: std
    balance: ${balance}
    bundles: ${bundles}
`;

describe('provisioning bundles', () => {
  it('puts bundles on sale and gives an account its bundles once, the fee from its money', async () => {
    const m = msisdn();
    const first = await provision(deps, doc(m, 5000), NOW);
    expect(first.bundles).toEqual({ bundles: 2, added: 1, held: 0 });
    expect((await new BundleCatalog(f.redis, f.prefix).list()).map((b) => b.id).sort()).toEqual([
      'data-5g',
      'data-month',
    ]);
    const held = await accountBundles.held(m, NOW);
    expect(held).toMatchObject([
      { bundle: 'data-5g', available: 5368709120, endsAtMs: NOW + 30 * 86_400_000 },
    ]);
    expect((await f.store.getAccount(m))!.buckets.money).toEqual({
      available: 2000,
      reserved: 0,
      spent: 3000,
    });

    const again = await provision(deps, doc(m, 5000), NOW + 60_000);
    expect(again.bundles).toEqual({ bundles: 2, added: 0, held: 1 });
    expect((await f.store.getAccount(m))!.buckets.money).toEqual({
      available: 2000,
      reserved: 0,
      spent: 3000,
    });
  });

  it('a calendar-month bundle ends with the month and is down for renewal', async () => {
    const m = msisdn();
    await provision(deps, doc(m, 5000, '[{ bundle: data-month }]'), NOW);
    expect(await accountBundles.held(m, NOW)).toMatchObject([
      { bundle: 'data-month', endsAtMs: Date.UTC(2026, 3, 1), calendarMonth: true },
    ]);
    expect(await accountBundles.renewals(m)).toEqual(new Map([['data-month', '2026-03']]));
  });

  it('names every bad field by its path and writes nothing', async () => {
    const m = msisdn();
    const bad = `
tariffs:
  - id: std2
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
bundles:
  - { id: b1, fee: 100, units: { octets: 10 }, appliesTo: { service: voice }, validity: { days: 1 } }
  - { id: b2, fee: 100, units: { seconds: 10 }, appliesTo: { service: voice, ratingGroups: ['1'] }, validity: { days: 0 } }
`;
    await expect(provision(deps, bad, NOW)).rejects.toMatchObject({
      problems: [
        'bundles[0].units: a voice bundle holds seconds',
        'bundles[1].validity.days: must be at least 1',
        'bundles[1].appliesTo.ratingGroups: a voice bundle names destinations, not rating groups',
      ],
    });
    const rules = `
tariffs:
  - id: std3
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
bundles:
  - { id: mins, fee: 500, units: { seconds: 6000 }, appliesTo: { service: voice, destinations: [moon] }, validity: { days: 30 } }
  - { id: mins, fee: 500, units: { seconds: 6000 }, appliesTo: { service: voice }, validity: { days: 30 } }
accounts:
  - { msisdn: '${m}', tariff: std3, balance: 700, bundles: [{ bundle: mins }, { bundle: nope }, { bundle: mins }] }
`;
    const err = await provision(deps, rules, NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisioningError);
    expect((err as ProvisioningError).problems).toEqual([
      'bundles[0].appliesTo.destinations[0]: no tariff in the document or already provisioned has a destination moon',
      'bundles[1].id: mins appears twice',
      'accounts[0].bundles[1].bundle: no bundle nope in the document or already provisioned',
      'accounts[0].bundles[2].bundle: mins appears twice for ' + m,
    ]);
    const poor = doc(m, 2999);
    expect(
      ((await provision(deps, poor, NOW).catch((e: unknown) => e)) as ProvisioningError).problems,
    ).toEqual([
      `accounts[0].bundles[0].bundle: the fee of data-5g, 3000, is more than the 2999 ${m} has to pay it with`,
    ]);
    expect(await f.store.getAccount(m)).toBeNull();
  });
});
