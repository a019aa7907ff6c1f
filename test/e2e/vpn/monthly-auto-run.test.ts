/**
 * VPN_MONTHLY_RUN=auto: two server instances on one Redis each look for the month to run (at
 * start, then hourly); the month is run once across them, its fees charged once, and the next
 * month again once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { RunningServer } from '../../../src/server/start.js';
import type { VpnMonthlySchedule } from '../../../src/server/vpn-monthly-schedule.js';
import type { VpnRegistry } from '../../../src/vpn/registry.js';
import { configProblems } from '../../support/config-problems.js';
import { startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { vpnRegistry } from './support.js';

const JANUARY = Date.UTC(2026, 0, 15, 10);
const FEE = 300;

let ocs: OcsFixture;
let registry: VpnRegistry;
let instances: [VpnMonthlySchedule, VpnMonthlySchedule];
let msisdn: string;

beforeAll(async () => {
  ocs = await startOcs({ startMs: JANUARY, env: { VPN_MONTHLY_RUN: 'auto' } });
  const second: RunningServer = (await ocs.secondInstance()).server;
  instances = [ocs.server.vpnMonthly!, second.vpnMonthly!];
  registry = vpnRegistry(ocs);
  await registry.putPackage({
    id: 'auto-pkg',
    monthlyFee: FEE,
    items: ['intra-group-voice'],
    levels: [{ type: 'free', creditSeconds: 600, unitSeconds: 60 }],
  });
  await registry.putGroup({ id: 'auto-group', name: 'auto run', extensionLength: 4, maxMembers: 10 });
  msisdn = await ocs.account({ balance: 1000 });
  await registry.register('auto-group', { msisdn, shortNumber: '1001', identity: 'belongs' });
  await registry.activate({ msisdn, package: 'auto-pkg', when: 'immediate' }, JANUARY);
});
afterAll(() => ocs?.close());

/** Both instances check at once, as their hourly timers may. */
async function bothCheck() {
  return (await Promise.all(instances.map((i) => i.check()))).sort();
}

describe('the monthly VPN run by the servers themselves', () => {
  it('runs the month in progress at start, with nothing asked of it', async () => {
    // A check still in progress since the start is joined, not repeated.
    await Promise.all(instances.map((i) => i.check()));
    const done = await ocs.redis.get(registry.keys.monthlyRunDone('2026-01'));
    expect(JSON.parse(done ?? 'null')).toMatchObject({ month: '2026-01', failed: [] });
    expect(await Promise.all(instances.map((i) => i.check()))).toEqual(['settled', 'settled']);
  });

  it('runs a new month on one instance only, and charges its fee once', async () => {
    expect((await ocs.balance(msisdn)).available).toBe(1000 - FEE);
    ocs.clock.ms = Date.UTC(2026, 1, 1, 0, 20);
    const [first, second] = await bothCheck();
    expect(first).toBe('ran');
    expect(['running elsewhere', 'settled']).toContain(second);
    expect((await ocs.balance(msisdn)).available).toBe(1000 - 2 * FEE);
    expect((await registry.activation(msisdn))?.paidThrough).toBe('2026-02');

    expect(await bothCheck()).toEqual(['settled', 'settled']);
    expect((await ocs.balance(msisdn)).available).toBe(1000 - 2 * FEE);
  });

  it('leaves the month to another instance while its lock is held, and runs it once it is free', async () => {
    ocs.clock.ms = Date.UTC(2026, 2, 1, 3);
    const lock = registry.keys.monthlyRunLock('2026-03');
    await ocs.redis.set(lock, 'an instance that died', 'PX', 60_000);
    expect(await bothCheck()).toEqual(['running elsewhere', 'running elsewhere']);
    expect((await ocs.balance(msisdn)).available).toBe(1000 - 2 * FEE);

    await ocs.redis.del(lock);
    expect((await bothCheck())[0]).toBe('ran');
    expect((await ocs.balance(msisdn)).available).toBe(1000 - 3 * FEE);
    expect(await ocs.redis.exists(lock)).toBe(0);
  });
});

describe('VPN_MONTHLY_RUN', () => {
  it('is off unless set, and takes only off or auto', () => {
    expect(loadConfig({}).vpnMonthlyRun).toBe('off');
    expect(loadConfig({ VPN_MONTHLY_RUN: 'auto' }).vpnMonthlyRun).toBe('auto');
    expect(configProblems({ VPN_MONTHLY_RUN: 'hourly' })).toEqual([
      `VPN_MONTHLY_RUN="hourly": must be 'off' or 'auto'`,
    ]);
  });

  it('off, the server has no schedule', async () => {
    const off = await startOcs();
    try {
      expect(off.server.vpnMonthly).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
