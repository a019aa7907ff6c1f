import { afterAll, describe, expect, it } from 'vitest';
import {
  AccountBlockedError,
  AccountExpiredError,
  AccountLostError,
  AccountNotFoundError,
  BalanceCode,
  BelowMinimumThresholdError,
} from '../../../src/balance/index.js';
import { balanceFixture, msisdn } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = Date.UTC(2026, 10, 1);

describe('authenticate', () => {
  it("returns the account's view when it may be charged", async () => {
    const m = msisdn();
    await f.store.upsertAccount({
      msisdn: m,
      tariff: 'pps-standard',
      currency: 'CNY',
      buckets: { money: 10_000 },
      minThreshold: 100,
      validUntil: NOW / 1000 + 86_400,
    });
    await expect(f.store.authenticate(m, NOW)).resolves.toEqual({
      status: 'active',
      prepaid: true,
      tariff: 'pps-standard',
      currency: 'CNY',
      available: 10_000,
      reserved: 0,
      validUntil: NOW / 1000 + 86_400,
      minThreshold: 100,
    });
  });

  it("returns the account's bundles hash with the view, for rating", async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 100 } });
    await f.redis.hset(
      f.store.keys.bundles(m),
      'data-3m:1800000000000',
      '{"units":3}',
      'renew:data-3m',
      '2026-11',
    );
    await expect(f.store.authenticate(m, NOW)).resolves.toMatchObject({
      bundles: { 'data-3m:1800000000000': '{"units":3}', 'renew:data-3m': '2026-11' },
    });
  });

  it('passes a balance exactly at the minimum threshold', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 100 }, minThreshold: 100 });
    await expect(f.store.authenticate(m, NOW)).resolves.toMatchObject({ available: 100 });
  });

  it('reports a postpaid account as such, whatever its balance', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, prepaid: false, minThreshold: 500 });
    await expect(f.store.authenticate(m, NOW)).resolves.toMatchObject({ prepaid: false, available: 0 });
  });

  it.each([
    ['an unknown account', undefined, AccountNotFoundError, BalanceCode.ACCOUNT_NOT_FOUND],
    ['a blocked account', { status: 'blocked' as const }, AccountBlockedError, BalanceCode.ACCOUNT_BLOCKED],
    ['a lost account', { status: 'lost' as const }, AccountLostError, BalanceCode.ACCOUNT_LOST],
    ['an expired account', { validUntil: NOW / 1000 }, AccountExpiredError, BalanceCode.ACCOUNT_EXPIRED],
    [
      'a balance below the minimum threshold',
      { buckets: { money: 99 }, minThreshold: 100 },
      BelowMinimumThresholdError,
      BalanceCode.BELOW_MIN_THRESHOLD,
    ],
    ['a blocked postpaid account', { status: 'blocked' as const, prepaid: false }, AccountBlockedError, -2],
    ['an expired postpaid account', { validUntil: 1, prepaid: false }, AccountExpiredError, -4],
  ])('refuses %s', async (_name, account, ErrorClass, code) => {
    const m = msisdn();
    if (account) await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 }, ...account });
    const err = await f.store.authenticate(m, NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrorClass);
    expect(err).toMatchObject({ code });
  });

  it('treats validUntil as the first second the account is no longer valid', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1 }, validUntil: NOW / 1000 });
    await expect(f.store.authenticate(m, NOW - 1)).resolves.toMatchObject({ status: 'active' });
    await expect(f.store.authenticate(m, NOW)).rejects.toBeInstanceOf(AccountExpiredError);
  });

  it('refuses a bad clock in the script itself', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m });
    const key = f.store.keys.account(m).account;
    for (const bad of ['-1', '1.5', '', 'abc', '1e3']) {
      await expect(f.redis.ocsAuthenticate(key, f.store.keys.bundles(m), bad)).resolves.toEqual([
        BalanceCode.INVALID_ARGUMENT,
        expect.any(String),
      ]);
    }
  });
});
