/**
 * `ocs simulate` against a real server and Redis over accounts holding bundles (DESIGN §3,
 * Bundles): half the accounts are given a data bundle and a bundle of national minutes, and
 * the load runs them past both into money. The money check follows each account's bundles as
 * the balance scripts spend them, and calls the run consistent only when every holder's money
 * and every bundle bucket moved exactly as its usage says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionScenario } from '../../../src/simulator/provision.js';
import { numberAt, parseScenario, type Scenario } from '../../../src/simulator/scenario.js';
import { Simulation } from '../../../src/simulator/simulation.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

const MiB = 1_048_576;
/**
 * The run's accounts from `base` on: 21 in turn under a mix that repeats every 5 sessions, so
 * that every account gets each kind; 11 hold bundles. One more holds them and is never used.
 */
function accounts(base: string) {
  return {
    holders: { first: `${base}0000`, count: 11 },
    others: { first: `${base}0011`, count: 10 },
    idle: `${base}0021`,
  };
}
const HOLDERS = accounts('861367000').holders;

let ocs: SimulatorServer | undefined;

function scenario(port: number, base = '861367000'): Scenario {
  const { holders, others, idle } = accounts(base);
  return parseScenario(
    `
name: e2e-bundles
peers: { count: 2, originHost: 'pgw{n}.e2e.example', originRealm: e2e.example, server: { port: ${port} } }
# Two sessions at a time over 21 accounts in turn: an account never has two grants at once.
mode: { type: concurrency, sessions: 2 }
stop: { sessions: 200, drainSeconds: 5 }
msisdn: { first: '${holders.first}', count: 21 }
mix:
  - kind: voice
    weight: 3
    callSeconds: 100
    destinations: ['8613912345678', '861062345678', '8613812345678', '12125550100']
  - kind: data
    weight: 2
    ratingGroups: [10]
    updates: 2
    requestedOctets: ${MiB}
    usedOctets: 1000000
provision:
  tariff:
    id: e2e-bundled
    currency: CNY
    timeZone: Asia/Shanghai
    voice:
      unitSeconds: 60
      pricePerUnit: 15
      destinations:
        - { prefix: '86', name: national, pricePerUnit: 15 }
        - { prefix: '8610', name: beijing, pricePerUnit: 10 }
        - { prefix: '1', name: nanp, pricePerUnit: 120, unitSeconds: 6 }
    data:
      ratingGroups: { '10': { unitOctets: ${MiB}, pricePerUnit: 30 } }
  bundles:
    - id: data-4m
      fee: 100
      units: { octets: ${4 * MiB} }
      appliesTo: { service: data, ratingGroups: ['10'] }
      validity: { days: 30 }
    - id: national-3min
      fee: 50
      units: { seconds: 180 }
      appliesTo: { service: voice, destinations: [national] }
      validity: { days: 30 }
  accounts:
    - { first: '${holders.first}', count: ${holders.count}, balance: 100000, bundles: [data-4m, national-3min] }
    - { first: '${others.first}', count: ${others.count}, balance: 100000 }
    - { first: '${idle}', count: 1, balance: 100000, bundles: [data-4m] }
`,
    'e2e-bundles',
  );
}

beforeAll(async () => {
  ocs = await startSimulatorServer('e2e-simbundle');
  await provisionScenario(ocs.provisioning, scenario(ocs.server.diameterPort));
});

afterAll(() => ocs?.close());

describe('the money check over accounts holding bundles', () => {
  it('follows each account from its bundles into money, exactly', async () => {
    const report = await new Simulation(scenario(ocs!.server.diameterPort), {
      provisioning: ocs!.provisioning,
    }).run();
    expect(report.unexpected).toEqual([]);
    expect(report.ccr.timedOut).toBe(0);
    const money = report.money!;
    expect(report.warnings).toEqual([]);
    expect(money.consistent).toBe(true);
    expect(money.bundles).toMatchObject({
      accounts: HOLDERS.count + 1,
      bounded: 0,
      reservedChange: 0,
      totalChange: 0,
    });
    expect(money.notChecked).toBeUndefined();
    const { byBundle } = money.bundles!;
    // Every holder's data bundle ran out, and national minutes were used from the other.
    expect(byBundle['data-4m']).toEqual({
      expected: HOLDERS.count * 4 * MiB,
      spent: HOLDERS.count * 4 * MiB,
    });
    expect(byBundle['national-3min']!.spent).toBe(byBundle['national-3min']!.expected);
    expect(byBundle['national-3min']!.spent).toBeGreaterThan(0);
    expect(money.spent).toBe(money.expected);
    expect([money.reservedChange, money.totalChange]).toEqual([0, 0]);
    expect(report.ok).toBe(true);

    // The holders ran on into money once their data bundle was spent.
    const store = ocs!.provisioning.store;
    for (let i = 0; i < HOLDERS.count; i++) {
      const buckets = (await store.getAccount(numberAt(HOLDERS, i)))!.buckets;
      const data = Object.entries(buckets).find(([name]) => name.startsWith('bundle:data-4m:'))![1];
      expect(data).toEqual({ available: 0, reserved: 0, spent: 4 * MiB });
      expect(buckets.money!.spent).toBeGreaterThan(150);
    }
  });

  it('is not consistent when a bundle is spent behind the run, though every total still adds up', async () => {
    const base = '861368000';
    const { idle } = accounts(base);
    const { store } = ocs!.provisioning;
    let moved: Promise<unknown> | undefined;
    const report = await new Simulation(scenario(ocs!.server.diameterPort, base), {
      provisioning: ocs!.provisioning,
      progressIntervalMs: 10,
      onProgress: (p) => {
        if (moved || p.phase !== 'running') return;
        // A MiB of the idle account's data bundle, used by nothing the run sent.
        moved = store.getAccount(idle).then((a) => {
          const bucket = Object.keys(a!.buckets).find((b) => b.startsWith('bundle:data-4m:'))!;
          return store.directDebit({
            opId: `e2e-bundle-debit-${base}`,
            msisdn: idle,
            tiers: [{ bucket, unitSize: MiB, pricePerUnit: MiB }],
            units: MiB,
            nowMs: Date.now(),
          });
        });
      },
    }).run();
    expect(moved).toBeDefined();
    await moved;
    expect(report.unexpected).toEqual([]);
    const money = report.money!;
    expect([money.spent! - money.expected, money.reservedChange, money.totalChange]).toEqual([0, 0, 0]);
    expect(money.bundles).toMatchObject({ reservedChange: 0, totalChange: 0 });
    expect(money.consistent).toBe(false);
    expect(report.ok).toBe(false);
    expect(report.warnings.join('\n')).toMatch(
      new RegExp(`${idle}: bundle:data-4m:\\d+ spent ${MiB}, covered 0`),
    );
  });
});
