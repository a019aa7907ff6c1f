/**
 * provision() with a vpn section on the run's Redis: what it writes through the VPN registry,
 * that running it again charges nothing, and that a document with any problem writes nothing.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TariffCatalog } from '../../../src/catalog/tariffs.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import { provision, type ProvisioningDeps } from '../../../src/provisioning/apply.js';
import { ProvisioningError } from '../../../src/provisioning/document.js';
import { freeLevelBucket } from '../../../src/vpn/model.js';
import { MONTH, NOW, vpnFixture, type VpnFixture } from './fixture.js';

const fixtures: VpnFixture[] = [];
afterAll(() => Promise.all(fixtures.map((f) => f.cleanup())));

function setup(): { f: VpnFixture; deps: ProvisioningDeps } {
  const f = vpnFixture();
  fixtures.push(f);
  return {
    f,
    deps: {
      redis: f.redis,
      store: f.store,
      catalog: new TariffCatalog(f.redis, f.prefix),
      sessionKeys: new SessionKeys(f.prefix),
    },
  };
}

async function keysOf(f: VpnFixture): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await f.redis.scan(cursor, 'MATCH', `${f.prefix}*`, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

/** Every value under the prefix, to show that a refused document changed nothing. */
async function dump(f: VpnFixture): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of await keysOf(f)) {
    const type = await f.redis.type(key);
    out[key] =
      type === 'hash'
        ? await f.redis.hgetall(key)
        : type === 'stream'
          ? await f.redis.xrange(key, '-', '+')
          : type === 'string'
            ? await f.redis.get(key)
            : type;
  }
  return out;
}

const DEMO = readFileSync(new URL('../../../demo/provisioning.yaml', import.meta.url), 'utf8');

describe('provisioning the vpn section', () => {
  it('applies the demo document: group, members, package, activations with their fees', async () => {
    const { f, deps } = setup();
    const summary = await provision(deps, DEMO, NOW);
    expect(summary).toEqual({
      tariffs: 2,
      accountsCreated: 6,
      accountsUpdated: 0,
      bundles: { bundles: 1, added: 1, held: 0 },
      vpn: {
        groups: 1,
        packages: 1,
        membersAdded: 3,
        membersUnchanged: 0,
        activations: 2,
        feesCharged: 1000,
      },
    });
    expect(await f.vpn.getGroup('ZTE-SZ')).toEqual({
      id: 'ZTE-SZ',
      name: 'ZTE Shenzhen',
      extensionLength: 4,
      maxMembers: 1000,
    });
    expect(await f.vpn.membersOf('ZTE-SZ')).toEqual([
      { msisdn: '8613800000001', shortNumber: '6001', identity: 'belongs', display: 'short' },
      { msisdn: '8613800000002', shortNumber: '6002', identity: 'belongs', display: 'short' },
      { msisdn: '8613900000009', shortNumber: '6009', identity: 'joins', display: 'long' },
    ]);
    expect(await f.vpn.resolveShortNumber('ZTE-SZ', '6009')).toBe('8613900000009');
    for (const m of ['8613800000001', '8613800000002']) {
      expect(await f.vpn.activation(m)).toEqual({
        msisdn: m,
        package: 'vpn-300',
        status: 'active',
        activeFrom: MONTH,
        paidThrough: MONTH,
      });
    }
    // 100.00 less the package's 5.00 and the data bundle's 20.00.
    expect(await f.money('8613800000001')).toBe(7_500);
    expect(await f.money('8613800000002')).toBe(500);
    expect(
      (await f.store.getAccount('8613800000001'))?.buckets[freeLevelBucket('vpn-300', 0)]?.available,
    ).toBe(18_000);
  });

  it('run again, registers and charges nothing', async () => {
    const { f, deps } = setup();
    await provision(deps, DEMO, NOW);
    const ledgers = await Promise.all(['8613800000001', '8613800000002'].map((m) => f.store.readLedger(m)));
    expect((await provision(deps, DEMO, NOW + 60_000)).vpn).toEqual({
      groups: 1,
      packages: 1,
      membersAdded: 0,
      membersUnchanged: 3,
      activations: 0,
      feesCharged: 0,
    });
    // A later month too: the monthly run, not the document, charges the VPN months after; the
    // document gives its data bundle again only because the first one has ended.
    await provision(deps, DEMO, Date.UTC(2027, 0, 5));
    const [first, second] = await Promise.all(
      ['8613800000001', '8613800000002'].map((m) => f.store.readLedger(m)),
    );
    expect(second).toEqual(ledgers[1]);
    expect(first!.slice(0, ledgers[0]!.length)).toEqual(ledgers[0]);
    expect(first!.slice(ledgers[0]!.length).map((e) => [e.op, e.deltas.money])).toEqual([
      ['bundle', { available: -2000, reserved: 0, spent: 2000 }],
    ]);
    expect(await f.money('8613800000001')).toBe(5_500);
  });

  it('adds to what an earlier document provisioned', async () => {
    const { f, deps } = setup();
    await provision(deps, DEMO, NOW);
    const more = `
accounts: [{ msisdn: '8613800000005', tariff: pps-standard, balance: 300 }]
vpn:
  groups:
    - id: ZTE-SZ
      name: ZTE Shenzhen
      extensionLength: 4
      maxMembers: 1000
      members: [{ msisdn: '8613800000005', shortNumber: '6005', identity: belongs }]
  activations: [{ msisdn: '8613800000005', package: vpn-300, when: next-month }]
`;
    expect((await provision(deps, more, NOW)).vpn).toMatchObject({
      membersAdded: 1,
      activations: 1,
      feesCharged: 0,
    });
    expect(await f.vpn.activation('8613800000005')).toMatchObject({
      status: 'pending',
      activeFrom: '2026-12',
    });
    expect(await f.vpn.membersOf('ZTE-SZ')).toHaveLength(4);
  });

  const BAD: [string, (text: string) => string, string][] = [
    [
      'a short number of the wrong length',
      (t) => t.replace("shortNumber: '6009'", "shortNumber: '60091'"),
      "vpn.groups[0].members[2].shortNumber: length 5, the group's extension length is 4",
    ],
    [
      'a postpaid account that belongs',
      (t) =>
        t.replace(
          "'8613900000009', shortNumber: '6009', identity: joins",
          "'8613900000009', shortNumber: '6009', identity: belongs",
        ),
      'vpn.groups[0].members[2].identity: 8613900000009 is postpaid',
    ],
    [
      'an activation beyond the money',
      (t) =>
        t.replace(
          "msisdn: '8613800000002',\n      prepaid: true,\n      tariff: pps-standard,\n      balance: 1000",
          "msisdn: '8613800000002',\n      prepaid: true,\n      tariff: pps-standard,\n      balance: 499",
        ),
      'vpn.activations[1]: the monthly fee 500 of vpn-300 is more than the 499 8613800000002 can spend',
    ],
    [
      'an unknown package',
      (t) =>
        t.replace(
          "package: vpn-300, when: immediate }\n    - { msisdn: '8613800000002'",
          "package: vpn-900, when: immediate }\n    - { msisdn: '8613800000002'",
        ),
      'vpn.activations[0].package: no package vpn-900',
    ],
  ];

  it.each(BAD)('writes nothing at all when the document has %s', async (_what, change, problem) => {
    const { f, deps } = setup();
    const text = change(DEMO);
    expect(text).not.toBe(DEMO);
    const err = await provision(deps, text, NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisioningError);
    expect((err as ProvisioningError).problems).toEqual([expect.stringContaining(problem)]);
    expect(await keysOf(f)).toEqual([]);
  });

  it('a bad document leaves what an earlier one wrote as it was', async () => {
    const { f, deps } = setup();
    await provision(deps, DEMO, NOW);
    const before = await dump(f);
    const conflicting = DEMO.replace(
      "shortNumber: '6009', identity: joins, display: long",
      "shortNumber: '6008', identity: joins, display: long",
    ).replace('balance: 10000,\n      status: active', 'balance: 10000,\n      status: blocked');
    const err = await provision(deps, conflicting, NOW).catch((e: unknown) => e);
    expect((err as ProvisioningError).problems).toEqual([
      'vpn.groups[0].members[2]: 8613900000009 is already in group ZTE-SZ as short number 6009 (joins, display long); a document does not change a member, unregister it first',
    ]);
    expect(await dump(f)).toEqual(before);
  });
});
