/**
 * provision() on the run's Redis (test/support/redis-global-setup.ts), under a key prefix of
 * this file's own: what a document writes, that a second run tops nothing up, and that a
 * document with any problem writes nothing at all.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { BalanceStore } from '../../../src/balance/index.js';
import { TariffCatalog } from '../../../src/catalog/tariffs.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import { provision, type ProvisioningDeps } from '../../../src/provisioning/apply.js';
import { ProvisioningError } from '../../../src/provisioning/document.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
const prefixes: string[] = [];

/** Provisioning dependencies on a fresh key prefix. */
function deps(): ProvisioningDeps & { prefix: string } {
  const prefix = `prov:${randomBytes(4).toString('hex')}:`;
  prefixes.push(prefix);
  return {
    prefix,
    redis,
    store: new BalanceStore({ redis, keyPrefix: prefix }),
    catalog: new TariffCatalog(redis, prefix),
    sessionKeys: new SessionKeys(prefix),
  };
}

async function keysOf(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

afterEach(async () => {
  for (const prefix of prefixes.splice(0)) {
    const keys = await keysOf(prefix);
    if (keys.length) await redis.del(...keys);
  }
});
afterAll(() => redis.quit());

const DOCUMENT = `
tariffs:
  - id: std
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
    sms: { pricePerMessage: 10 }
accounts:
  - { msisdn: '8613800000001', tariff: std, balance: 10000, validUntil: '2027-12-31', imsi: '460001000000001' }
  - { msisdn: '8613800000002', tariff: std, balance: 500, minThreshold: 100, nai: 'b@ims.example' }
  - { msisdn: '8613900000009', prepaid: false, tariff: std }
`;

describe('provision', () => {
  it('writes the tariffs, the accounts with their opening balances, and the other identities', async () => {
    const d = deps();
    expect(await provision(d, DOCUMENT)).toEqual({ tariffs: 1, accountsCreated: 3, accountsUpdated: 0 });

    expect(await d.catalog.list()).toEqual([
      {
        id: 'std',
        currency: 'CNY',
        voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
        sms: { pricePerMessage: 10 },
      },
    ]);
    expect(await d.store.getAccount('8613800000001')).toEqual({
      msisdn: '8613800000001',
      status: 'active',
      prepaid: true,
      // Valid through 2027-12-31 (UTC): expired from the next midnight.
      validUntil: Date.UTC(2028, 0, 1) / 1000,
      minThreshold: 0,
      tariff: 'std',
      currency: 'CNY',
      buckets: { money: { available: 10000, reserved: 0, spent: 0 } },
      resetPeriods: {},
    });
    expect(await d.store.getAccount('8613800000002')).toMatchObject({
      minThreshold: 100,
      validUntil: 0,
      buckets: { money: { available: 500, reserved: 0, spent: 0 } },
    });
    expect(await d.store.getAccount('8613900000009')).toMatchObject({
      prepaid: false,
      buckets: { money: { available: 0, reserved: 0, spent: 0 } },
    });
    expect(await redis.get(d.sessionKeys.alias('imsi', '460001000000001'))).toBe('8613800000001');
    expect(await redis.get(d.sessionKeys.alias('nai', 'b@ims.example'))).toBe('8613800000002');
  });

  it('run again, tops nothing up but updates the attributes', async () => {
    const d = deps();
    await provision(d, DOCUMENT);
    expect(await provision(d, DOCUMENT)).toEqual({ tariffs: 1, accountsCreated: 0, accountsUpdated: 3 });
    expect((await d.store.getAccount('8613800000001'))?.buckets.money).toEqual({
      available: 10000,
      reserved: 0,
      spent: 0,
    });

    const changed = DOCUMENT.replace(
      `{ msisdn: '8613800000002', tariff: std, balance: 500,`,
      `{ msisdn: '8613800000002', tariff: std, balance: 99999, status: blocked,`,
    );
    expect(await provision(d, changed)).toEqual({ tariffs: 1, accountsCreated: 0, accountsUpdated: 3 });
    expect(await d.store.getAccount('8613800000002')).toMatchObject({
      status: 'blocked',
      buckets: { money: { available: 500, reserved: 0, spent: 0 } },
    });
  });

  it('adds accounts on a tariff provisioned by an earlier document', async () => {
    const d = deps();
    await provision(d, DOCUMENT);
    expect(await provision(d, `accounts: [{ msisdn: '8613800000003', tariff: std, balance: 7 }]`)).toEqual({
      tariffs: 0,
      accountsCreated: 1,
      accountsUpdated: 0,
    });
    expect(await d.store.getAccount('8613800000003')).toMatchObject({ currency: 'CNY', tariff: 'std' });
  });
});

describe('a document with a problem', () => {
  const BAD = [
    ['a bad field', `${DOCUMENT}  - { msisdn: '8613800000004', tariff: std, balance: -5 }\n`],
    ['an unknown tariff', `${DOCUMENT}  - { msisdn: '8613800000004', tariff: gold }\n`],
    ['a duplicate MSISDN', `${DOCUMENT}  - { msisdn: '8613800000001', tariff: std }\n`],
    [
      'an amount too large for the store',
      `${DOCUMENT}  - { msisdn: '8613800000004', tariff: std, balance: 1000000000000000 }\n`,
    ],
    [
      'an impossible date',
      `${DOCUMENT}  - { msisdn: '8613800000004', tariff: std, validUntil: '2027-02-30' }\n`,
    ],
  ] as const;

  it.each(BAD)('writes nothing at all when the document has %s', async (_what, text) => {
    const d = deps();
    await expect(provision(d, text)).rejects.toBeInstanceOf(ProvisioningError);
    expect(await keysOf(d.prefix)).toEqual([]);
  });

  it('leaves what an earlier document wrote as it was', async () => {
    const d = deps();
    await provision(d, DOCUMENT);
    const before = await keysOf(d.prefix);
    const account = await d.store.getAccount('8613800000001');
    const [, text] = BAD[3];
    await expect(provision(d, text.replace('balance: 10000', 'balance: 20000'))).rejects.toThrow(
      'accounts[3].balance',
    );
    expect(await keysOf(d.prefix)).toEqual(before);
    expect(await d.store.getAccount('8613800000001')).toEqual(account);
  });
});
