import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VpnDirectory } from '../../../src/vpn/cache.js';
import { encodeActivation } from '../../../src/vpn/read.js';
import { NOW, VPN_300, vpnFixture } from './fixture.js';

const f = vpnFixture();
const directories: VpnDirectory[] = [];
let a: VpnDirectory;
let b: VpnDirectory;
let clock = NOW;

/** A directory on its own connection, as another server instance would have. */
async function open(options: { ttlMs?: number } = {}): Promise<VpnDirectory> {
  const d = await VpnDirectory.open({
    redis: f.connect(),
    keyPrefix: f.prefix,
    now: () => clock,
    ...options,
  });
  directories.push(d);
  return d;
}

beforeAll(async () => {
  await f.vpn.putPackage(VPN_300);
  [a, b] = [await open(), await open()];
});
afterAll(async () => {
  await Promise.all(directories.map((d) => d.close()));
  await f.cleanup();
});

/** Polls until `check` passes, failing after `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<void>): Promise<number> {
  const start = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - start;
    } catch (err) {
      if (Date.now() - start > ms) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe('VpnDirectory', () => {
  it('serves from its cache: a change written behind its back is not seen until the TTL', async () => {
    const d = await open({ ttlMs: 30_000 });
    const group = await f.group();
    const m = f.number();
    expect(await d.memberships(m)).toEqual([]);
    expect(await d.resolveShortNumber(group, '6001')).toBeUndefined();
    // Written without a message, as if one were lost.
    await f.redis.hset(
      f.vpn.keys.member(m),
      group,
      '{"shortNumber":"6001","identity":"joins","display":"long"}',
    );
    await f.redis.hset(f.vpn.keys.shortNumbers(group), '6001', m);
    expect(await d.memberships(m)).toEqual([]);
    expect(await d.resolveShortNumber(group, '6001')).toBeUndefined();
    clock += 30_001;
    expect(await d.memberships(m)).toEqual([
      { group, shortNumber: '6001', identity: 'joins', display: 'long' },
    ]);
    expect(await d.resolveShortNumber(group, '6001')).toBe(m);
  });

  it('a registration made through the registry reaches two instances within a second', async () => {
    const group = await f.group();
    const m = await f.account();
    expect(await a.memberships(m)).toEqual([]);
    expect(await b.memberships(m)).toEqual([]);
    expect(await a.resolveShortNumber(group, '6001')).toBeUndefined();
    expect(await b.resolveShortNumber(group, '6001')).toBeUndefined();
    await f.vpn.register(group, { msisdn: m, shortNumber: '6001', identity: 'belongs', display: 'short' });
    const took = await within(1_000, async () => {
      for (const d of [a, b]) {
        expect(await d.memberships(m)).toEqual([
          { group, shortNumber: '6001', identity: 'belongs', display: 'short' },
        ]);
        expect(await d.resolveShortNumber(group, '6001')).toBe(m);
      }
    });
    expect(took).toBeLessThan(1_000);

    await f.vpn.unregister(group, m);
    await within(1_000, async () => {
      for (const d of [a, b]) {
        expect(await d.memberships(m)).toEqual([]);
        expect(await d.resolveShortNumber(group, '6001')).toBeUndefined();
      }
    });
  });

  it('activations and packages are invalidated the same way', async () => {
    const group = await f.group();
    const m = await f.account();
    await f.vpn.register(group, { msisdn: m, shortNumber: '6001', identity: 'belongs' });
    expect(await a.activation(m)).toBeUndefined();
    expect(await b.activation(m)).toBeUndefined();
    expect((await a.packages()).get('vpn-300')?.monthlyFee).toBe(500);
    expect((await b.packages()).get('vpn-300')?.monthlyFee).toBe(500);

    await f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW);
    await f.vpn.putPackage({ ...VPN_300, monthlyFee: 600 });
    await within(1_000, async () => {
      for (const d of [a, b]) {
        expect(await d.activation(m)).toMatchObject({ status: 'active', package: 'vpn-300' });
        expect((await d.packages()).get('vpn-300')?.monthlyFee).toBe(600);
      }
    });
    await f.vpn.putPackage(VPN_300);
  });

  it('a message naming one number leaves the others cached', async () => {
    const [m1, m2] = [f.number(), f.number()];
    const stored = (msisdn: string) =>
      encodeActivation({
        msisdn,
        package: 'vpn-300',
        status: 'active',
        activeFrom: '2026-11',
        paidThrough: '2026-11',
      });
    expect(await a.activation(m1)).toBeUndefined();
    expect(await a.activation(m2)).toBeUndefined();
    await f.redis.hset(f.vpn.keys.activations(), m1, stored(m1), m2, stored(m2));
    a.invalidate(`${f.prefix}vpn:activation:${m1}`);
    expect(await a.activation(m1)).toMatchObject({ status: 'active' });
    expect(await a.activation(m2)).toBeUndefined();
    // The same message about another key prefix (another deployment on this Redis) is not ours.
    a.invalidate(`vpn:activation:${m2}`);
    a.invalidate(`t:other:vpn:activation:${m2}`);
    expect(await a.activation(m1)).toMatchObject({ status: 'active' });
    expect(await a.activation(m2)).toBeUndefined();
    a.invalidate('tariffs');
    expect(await a.activation(m2)).toBeUndefined();
    a.invalidate();
    expect(await a.activation(m2)).toMatchObject({ status: 'active' });
  });

  it('answers numbers that cannot be keys without asking Redis', async () => {
    expect(await a.memberships('{bad} number')).toEqual([]);
    expect(await a.activation('')).toBeUndefined();
    expect(await a.resolveShortNumber('G1', 'x')).toBeUndefined();
  });
});
