/**
 * `ocs vpn-monthly [YYYY-MM]` against the run's Redis. The command takes its configuration from
 * the environment like every `ocs` command, so its keys have no prefix: this file uses numbers,
 * a group and a package of its own, and deletes every key and hash field it made.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { BalanceStore } from '../../../src/balance/index.js';
import { UsageError } from '../../../src/commands/command.js';
import { COMMANDS } from '../../../src/commands/index.js';
import { vpnMonthly } from '../../../src/commands/vpn-monthly.js';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { monthOf } from '../../../src/vpn/model.js';
import { VpnRegistry } from '../../../src/vpn/registry.js';

const tag = randomBytes(3).toString('hex');
const GROUP = `cmd-${tag}`;
const PACKAGE = `cmd-pkg-${tag}`;
const L0 = `vpn:${PACKAGE}:L0`;
/** 2026-01-15: the activations are made in January, the command runs February. */
const JANUARY = Date.UTC(2026, 0, 15);

const config = loadConfig({ REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent' });
let redis: Redis;
let store: BalanceStore;
let registry: VpnRegistry;
const numbers: string[] = [];
let out: string[] = [];

function number(): string {
  // 15 digits, unique to this run of this file.
  const n = `8613${String(process.pid % 100_000).padStart(5, '0')}${String(numbers.length).padStart(2, '0')}${String(parseInt(tag, 16) % 10_000).padStart(4, '0')}`;
  numbers.push(n);
  return n;
}

async function member(balance: number, shortNumber: string): Promise<string> {
  const msisdn = number();
  await store.upsertAccount({ msisdn, tariff: 'std', currency: 'CNY', buckets: { money: balance } });
  await registry.register(GROUP, { msisdn, shortNumber, identity: 'belongs' });
  await registry.activate({ msisdn, package: PACKAGE, when: 'immediate' }, JANUARY);
  return msisdn;
}

async function run(...args: string[]): Promise<number> {
  out = [];
  return vpnMonthly.run(args, config);
}

beforeAll(async () => {
  redis = new Redis(config.redisUrl!, { maxRetriesPerRequest: 1 });
  store = new BalanceStore({ redis });
  registry = new VpnRegistry({ redis, store });
  await registry.putPackage({
    id: PACKAGE,
    monthlyFee: 300,
    items: ['intra-group-voice'],
    levels: [{ type: 'free', creditSeconds: 600, unitSeconds: 60 }],
  });
  await registry.putGroup({ id: GROUP, name: 'vpn-monthly test', extensionLength: 4, maxMembers: 10 });
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
});

afterEach(() => {
  out = [];
});

afterAll(async () => {
  vi.restoreAllMocks();
  const keys = registry.keys;
  await redis.hdel(keys.activations(), ...numbers);
  await redis.hdel(keys.feeSequence(), ...numbers);
  await redis.hdel(keys.groups(), GROUP);
  await redis.hdel(keys.packages(), PACKAGE);
  await redis.del(keys.shortNumbers(GROUP), ...numbers.flatMap((m) => [keys.member(m), keys.lock(m)]));
  for (const m of numbers) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `*{${m}}*`, 'COUNT', 500);
      if (found.length) await redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
  }
  await redis.quit();
});

describe('ocs vpn-monthly', () => {
  it('is an ocs command', () => {
    expect(COMMANDS).toContain(vpnMonthly);
    expect(vpnMonthly.usage).toBe('vpn-monthly [YYYY-MM]');
  });

  it('charges the fees of the month, resets free credits, suspends the unpayable; a second run changes nothing', async () => {
    const rich = await member(1000, '1001');
    const poor = await member(500, '1002'); // January's fee leaves 2.00, February's is 3.00
    await store.setBucket({ opId: `use-${tag}`, msisdn: rich, bucket: L0, available: 60, nowMs: JANUARY });
    expect((await store.getAccount(rich))?.buckets).toEqual({
      money: { available: 700, reserved: 0, spent: 300 },
      [L0]: { available: 60, reserved: 0, spent: 0 },
    });

    expect(await run('2026-02')).toBe(0);
    expect(out.join('\n')).toMatch(
      /^vpn-monthly 2026-02: \d+ charged, \d+ suspended \(fee unpaid\), \d+ skipped, 0 failed\nbundles 2026-02: \d+ renewed, \d+ unpaid, \d+ lapsed, \d+ ended and cleared$/,
    );
    expect(await registry.activation(rich)).toMatchObject({ status: 'active', paidThrough: '2026-02' });
    expect(await registry.activation(poor)).toMatchObject({ status: 'suspended', paidThrough: '2026-01' });
    const after = {
      rich: (await store.getAccount(rich))?.buckets,
      poor: (await store.getAccount(poor))?.buckets,
    };
    expect(after).toEqual({
      rich: {
        money: { available: 400, reserved: 0, spent: 600 },
        [L0]: { available: 600, reserved: 0, spent: 0 },
      },
      poor: {
        money: { available: 200, reserved: 0, spent: 300 },
        [L0]: { available: 600, reserved: 0, spent: 0 },
      },
    });

    // Safe to run twice: the paid one is skipped, the unpayable one is still unpayable.
    expect(await run('2026-02')).toBe(0);
    expect(await store.getAccount(rich)).toMatchObject({ buckets: after.rich });
    expect(await store.getAccount(poor)).toMatchObject({ buckets: after.poor });
    expect(await registry.activation(poor)).toMatchObject({ status: 'suspended' });
  });

  it('runs the current UTC month by default', async () => {
    const m = await member(1000, '1003');
    const current = monthOf(Date.now());
    expect(await run()).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^vpn-monthly ${current}: `));
    expect(await registry.activation(m)).toMatchObject({ status: 'active', paidThrough: current });
  });

  it('exits 1 when an activation fails for another reason than money, and lists it', async () => {
    const m = number();
    await store.upsertAccount({ msisdn: m, tariff: 'std', currency: 'CNY', buckets: { money: 1000 } });
    // An activation of a package that no longer exists (written as an older version might have).
    await redis.hset(
      registry.keys.activations(),
      m,
      JSON.stringify({
        msisdn: m,
        package: `gone-${tag}`,
        status: 'active',
        activeFrom: '2026-01',
        paidThrough: '2026-01',
      }),
    );
    expect(await run('2026-02')).toBe(1);
    expect(out.join('\n')).toContain(`  failed ${m}: PACKAGE_NOT_FOUND: package gone-${tag} does not exist`);
    expect((await store.getAccount(m))?.buckets.money).toEqual({ available: 1000, reserved: 0, spent: 0 });
    await redis.hdel(registry.keys.activations(), m);
  });

  it('refuses a malformed month, a month not yet begun, extra arguments, and no REDIS_URL', async () => {
    await expect(run('2026-13')).rejects.toThrow(UsageError);
    await expect(run('26-02')).rejects.toThrow(/YYYY-MM/);
    await expect(run('2999-01')).rejects.toThrow(/has not begun/);
    await expect(run('2026-01', '2026-02')).rejects.toThrow(UsageError);
    await expect(vpnMonthly.run(['2026-02'], loadConfig({}))).rejects.toThrow(ConfigError);
  });
});
