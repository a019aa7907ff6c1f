/** An account's bundles over the admin API: bought once per reference with the fee from money, and listed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleCatalog } from '../../src/bundles/catalog.js';
import { adminFixture, START_MS, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
  const catalog = new BundleCatalog(f.redis, f.prefix);
  await catalog.put({
    id: 'data-5g',
    fee: 3000,
    units: { octets: 5_368_709_120 },
    appliesTo: { service: 'data', ratingGroups: ['10'] },
    validity: { days: 30 },
  });
  await catalog.put({
    id: 'mins-100',
    fee: 500,
    units: { seconds: 6000 },
    appliesTo: { service: 'voice' },
    validity: { calendarMonth: true },
  });
});
afterAll(() => f.cleanup());

const money = async (msisdn: string) => (await f.store.getAccount(msisdn))?.buckets.money;
const END_30_DAYS = new Date(START_MS + 30 * 86_400_000).toISOString();

describe('POST /v1/accounts/{msisdn}/bundles', () => {
  it('buys a bundle once per reference: the replay answers the first figures and changes nothing', async () => {
    const msisdn = await f.account(5000);
    const first = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, {
      body: { bundle: 'data-5g', reference: 'order-1' },
    });
    expect(first.status).toBe(201);
    const bucket = `bundle:data-5g:${(START_MS + 30 * 86_400_000) / 1000}`;
    expect(first.body).toEqual({
      msisdn,
      reference: 'order-1',
      bundle: {
        bundle: 'data-5g',
        bucket,
        service: 'data',
        unit: 'octets',
        ratingGroups: ['10'],
        units: 5_368_709_120,
        left: 5_368_709_120,
        reserved: 0,
        used: 0,
        startsAt: new Date(START_MS).toISOString(),
        endsAt: END_30_DAYS,
        renews: false,
      },
      fee: 3000,
      moneyAvailable: 2000,
      replayed: false,
    });
    f.clock.ms += 1000;
    const replay = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, {
      body: { bundle: 'data-5g', reference: 'order-1' },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ replayed: true, fee: 3000, moneyAvailable: 2000 });
    expect(await money(msisdn)).toEqual({ available: 2000, reserved: 0, spent: 3000 });

    const reused = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, {
      body: { bundle: 'mins-100', reference: 'order-1' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('REFERENCE_REUSED');

    const list = await f.call('GET', `/v1/accounts/${msisdn}/bundles`, {
      token: 'read-token-for-tests-0123456789',
    });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ msisdn, items: [first.body.bundle] });
  });

  it('is refused without the money for the fee, changing nothing, and the reference stays usable', async () => {
    const msisdn = await f.account(2999);
    const refused = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, {
      body: { bundle: 'data-5g', reference: 'order-2' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(await money(msisdn)).toEqual({ available: 2999, reserved: 0, spent: 0 });
    expect((await f.call('GET', `/v1/accounts/${msisdn}/bundles`)).body.items).toEqual([]);

    await f.call('POST', `/v1/accounts/${msisdn}/topups`, { body: { amount: 1, reference: 'v1' } });
    const bought = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, {
      body: { bundle: 'data-5g', reference: 'order-2' },
    });
    expect(bought.status).toBe(201);
    expect(await money(msisdn)).toEqual({ available: 0, reserved: 0, spent: 3000 });
  });

  it('lists a calendar-month bundle as renewing, the one ending soonest first', async () => {
    const msisdn = await f.account(5000);
    await f.call('POST', `/v1/accounts/${msisdn}/bundles`, { body: { bundle: 'data-5g', reference: 'a' } });
    await f.call('POST', `/v1/accounts/${msisdn}/bundles`, { body: { bundle: 'mins-100', reference: 'b' } });
    const items = (await f.call('GET', `/v1/accounts/${msisdn}/bundles`)).body.items as { bundle: string }[];
    expect(items).toMatchObject([
      { bundle: 'mins-100', endsAt: '2026-04-01T00:00:00.000Z', renews: true, unit: 'seconds', left: 6000 },
      { bundle: 'data-5g', renews: false },
    ]);
  });

  it('answers 404 for an unknown account or bundle, and 400 for a bad body', async () => {
    const msisdn = await f.account(5000);
    const noAccount = await f.call('POST', `/v1/accounts/8619999999999/bundles`, {
      body: { bundle: 'data-5g', reference: 'x' },
    });
    expect([noAccount.status, noAccount.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    const noBundle = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, {
      body: { bundle: 'gold', reference: 'x' },
    });
    expect([noBundle.status, noBundle.body.code]).toEqual([404, 'BUNDLE_NOT_FOUND']);
    const bad = await f.call('POST', `/v1/accounts/${msisdn}/bundles`, { body: { bundle: 'data-5g' } });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await f.call('GET', `/v1/accounts/8619999999999/bundles`)).status).toBe(404);
  });
});
