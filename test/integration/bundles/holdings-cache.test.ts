/**
 * The per-instance cache of an account's bundles that rating reads (DESIGN §3, Bundles; §5): a
 * purchase announced on the configuration channel drops the account's entry, on this key prefix
 * only; a hash read by authenticate is kept unless a change came while it was read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountBundles } from '../../../src/bundles/account-bundles.js';
import { BundleHoldingsCache } from '../../../src/bundles/holdings-cache.js';
import { bundleBucket } from '../../../src/bundles/model.js';
import { bundleSchema } from '../../../src/catalog/bundles.js';
import { CONFIG_CHANNEL } from '../../../src/redis/config-channel.js';
import { balanceFixture, msisdn } from '../balance/fixture.js';

const f = balanceFixture();
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const bundle = bundleSchema.parse({
  id: 'data-1g',
  fee: 100,
  units: { octets: 1_073_741_824 },
  appliesTo: { service: 'data', ratingGroups: ['10'] },
  validity: { days: 30 },
});
const BUCKET = bundleBucket('data-1g', 1_800_000_000_000);
let cache: BundleHoldingsCache;

beforeAll(async () => {
  // A long TTL: only the messages can make the cache read again.
  cache = await BundleHoldingsCache.open({ redis: f.redis, keyPrefix: f.prefix, ttlMs: 3_600_000 });
});
afterAll(async () => {
  await cache.close();
  await f.cleanup();
});

describe('the holdings rating reads', () => {
  it('are read once, and again once a purchase is announced', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 } });
    expect(await cache.holdings(m)).toEqual([]);
    await new AccountBundles(f.redis, f.store).add({ msisdn: m, bundle, opId: 'buy-1', nowMs: NOW });
    await expect.poll(async () => (await cache.holdings(m)).map((h) => h.bundle)).toEqual(['data-1g']);
  });

  it('ignore a message of another key prefix', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 } });
    expect(await cache.holdings(m)).toEqual([]);
    await f.redis.hset(f.store.keys.bundles(m), BUCKET, JSON.stringify({ bundle: 'data-1g' }));
    await f.redis.publish(CONFIG_CHANNEL, `other:bundles:${m}`);
    // A message this cache acts on, sent after the other, marks when both have been heard.
    const marker = msisdn();
    expect(await cache.holdings(marker)).toEqual([]);
    await f.redis.hset(
      f.store.keys.bundles(marker),
      bundleBucket('x', 1_800_000_000_000),
      JSON.stringify({ bundle: 'x' }),
    );
    await f.redis.publish(CONFIG_CHANNEL, `${f.prefix}bundles:${marker}`);
    await expect.poll(async () => (await cache.holdings(marker)).length).toBe(1);
    expect(await cache.holdings(m)).toEqual([]);
  });

  it('keep a hash read elsewhere, unless a change was heard while it was read', async () => {
    const m = msisdn();
    const keep = cache.reading(m);
    keep({ [BUCKET]: JSON.stringify({ bundle: 'data-1g' }) });
    expect((await cache.holdings(m)).map((h) => h.bundle)).toEqual(['data-1g']);

    const other = msisdn();
    const stale = cache.reading(other);
    cache.invalidate(`${f.prefix}bundles:${msisdn()}`);
    stale({ [BUCKET]: JSON.stringify({ bundle: 'data-1g' }) });
    // Not kept: read from Redis, where the account holds none.
    expect(await cache.holdings(other)).toEqual([]);
  });
});
