/**
 * `ocs simulate --redis` money check with VPN package members, against a real server and Redis:
 * members' calls inside their group are priced by their package (free seconds, then free money,
 * each in a bucket of its own, then a payment level), not by the tariff. The check must call that
 * consistent, and still catch money that moves behind the run's back.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../src/server/start.js';
import { provision, type ProvisioningDeps } from '../../../src/provisioning/apply.js';
import { provisionScenario } from '../../../src/simulator/provision.js';
import { parseScenario, type Scenario } from '../../../src/simulator/scenario.js';
import { Simulation } from '../../../src/simulator/simulation.js';
import type { Report } from '../../../src/simulator/report.js';
import { formatReport } from '../../../src/simulator/report-text.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

const MiB = 1_048_576;
const MEMBERS = 8;
const MEMBER_FIRST = '8613640000000';
const OTHER_FIRST = '8613650000000';
const member = (i: number) => String(Number(MEMBER_FIRST) + i);
const SHORT = Array.from({ length: MEMBERS }, (_, i) => String(7000 + i));

let ocs: SimulatorServer | undefined;
let server: RunningServer;
let deps: ProvisioningDeps;
/** Makes this run's operation ids its own. */
const run = randomBytes(4).toString('hex');

function scenario(port: number): Scenario {
  return parseScenario(
    `
name: e2e-vpn-money
peers: { count: 2, originHost: 'ims{n}.e2e.example', originRealm: e2e.example, server: { port: ${port} } }
mode: { type: rate, sessionsPerSecond: 120 }
stop: { duration: 2, drainSeconds: 3 }
msisdn: { first: '${OTHER_FIRST}', count: 20 }
mix:
  - { kind: data, weight: 2, ratingGroups: [10], updates: 1, requestedOctets: ${MiB}, usedOctets: 1000000 }
  # Members: half their calls dial a group short number, the others a non-member (tariff).
  - kind: voice
    weight: 3
    callSeconds: 90
    calling: { first: '${MEMBER_FIRST}', count: ${MEMBERS} }
    called: { first: '${OTHER_FIRST}', count: 20 }
    vpn: { shortNumbers: [${SHORT.map((s) => `'${s}'`).join(', ')}], share: 0.5 }
  # Members calling members by their long numbers: inside the group all the same.
  - kind: voice
    weight: 2
    callSeconds: 150
    calling: { first: '${MEMBER_FIRST}', count: ${MEMBERS} }
    called: { first: '${MEMBER_FIRST}', count: ${MEMBERS} }
  # Non-members dialling short numbers: no group of theirs, so the tariff prices them.
  - kind: voice
    weight: 1
    callSeconds: 60
    called: { first: '${OTHER_FIRST}', count: 20 }
    vpn: { shortNumbers: ['7000'], share: 0.5 }
  - { kind: sms, weight: 1 }
provision:
  tariff:
    id: e2e-vpn
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
    sms: { pricePerMessage: 10 }
    data: { ratingGroups: { '10': { unitOctets: ${MiB}, pricePerUnit: 30 } } }
  accounts:
    - { first: '${MEMBER_FIRST}', count: ${MEMBERS}, balance: 1000000 }
    - { first: '${OTHER_FIRST}', count: 20, balance: 1000000 }
`,
    'e2e-vpn',
  );
}

/** The members' group and package: 10 free minutes, 0.50 of free money at 0.05, then 0.07 a minute. */
function vpnDocument(): string {
  return JSON.stringify({
    vpn: {
      groups: [
        {
          id: 'SIM-VPN',
          name: 'Simulated group',
          extensionLength: 4,
          maxMembers: 100,
          members: SHORT.map((shortNumber, i) => ({ msisdn: member(i), shortNumber, identity: 'belongs' })),
        },
      ],
      packages: [
        {
          id: 'sim-vpn',
          monthlyFee: 100,
          items: ['intra-group-voice'],
          levels: [
            { type: 'free', creditSeconds: 600, unitSeconds: 60 },
            { type: 'free', creditAmount: 50, unitSeconds: 60, pricePerUnit: 5 },
            { type: 'payment', unitSeconds: 60, pricePerUnit: 7 },
          ],
        },
      ],
      activations: SHORT.map((_, i) => ({ msisdn: member(i), package: 'sim-vpn', when: 'immediate' })),
    },
  });
}

beforeAll(async () => {
  ocs = await startSimulatorServer('e2e-simvpn');
  server = ocs.server;
  deps = ocs.provisioning;
  // Members must be accounts before they join: the scenario's accounts first, then the group.
  await provisionScenario(deps, scenario(server.diameterPort));
  await provision(deps, vpnDocument());
});

afterAll(() => ocs?.close());

function expectAllAnswered(report: Report): void {
  expect(report.unexpected).toEqual([]);
  expect(report.ccr.timedOut).toBe(0);
  expect(report.sessions.total.aborted).toBe(0);
  expect(report.sessions.total.completed).toBe(report.sessions.total.started);
}

describe('the money check with VPN package members', () => {
  it('is consistent when their package, not the tariff, prices their calls inside the group', async () => {
    const report = await new Simulation(scenario(server.diameterPort), { provisioning: deps }).run();
    expectAllAnswered(report);
    const money = report.money!;
    const members = money.members!;
    expect(members.accounts).toBe(MEMBERS);
    expect(members.packageReports).toBeGreaterThan(50);
    // What the old check compared: the tariff's price for every call. The package's free
    // levels make the members' calls cheaper, so that comparison could not hold.
    expect(money.spent).toBeLessThan(money.expected + money.expectedVpn);
    // The members took free seconds and free money, and (10 free minutes each do not last) paid.
    expect(money.freeCredit!.spent).toBeGreaterThan(0);
    expect(money.freeCredit!.spent).toBeLessThanOrEqual(money.freeCredit!.spentAtMost);
    expect(members.spent).toBeGreaterThanOrEqual(members.spentAtLeast);
    expect(members.spent).toBeLessThanOrEqual(members.spentAtMost);
    expect([money.reservedChange, money.totalChange]).toEqual([0, 0]);
    expect([money.freeCredit!.reservedChange, money.freeCredit!.totalChange]).toEqual([0, 0]);
    expect(money.consistent).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([]);
    // The report says which part it could only bound.
    expect(money.notChecked).toMatch(/voice reports .* VPN package members/);
    const text = formatReport(report);
    expect(text).toMatch(/consistent/);
    expect(text).not.toMatch(/NOT consistent/);
    expect(text).toMatch(/not checked exactly: the price of \d+ voice reports/);
  });

  it('is not consistent when money moves behind the run: a top-up of a member, a charge of another', async () => {
    let moved: Promise<unknown> | undefined;
    const simulation = new Simulation(scenario(server.diameterPort), {
      provisioning: deps,
      onProgress: (p) => {
        if (moved || p.phase !== 'running' || p.answered === 0) return;
        const nowMs = Date.now();
        moved = Promise.all([
          server.store.topup({ opId: `e2e-topup-${run}`, msisdn: member(3), amount: 500, nowMs }),
          server.store.directDebit({
            opId: `e2e-debit-${run}`,
            msisdn: OTHER_FIRST,
            tiers: [{ bucket: 'money', unitSize: 1, pricePerUnit: 1 }],
            units: 7,
            nowMs,
          }),
        ]);
      },
    });
    const report = await simulation.run();
    expect(moved).toBeDefined();
    await moved;
    expectAllAnswered(report);
    const money = report.money!;
    expect(money.consistent).toBe(false);
    expect(report.ok).toBe(false);
    expect(money.totalChange).toBe(500);
    const warning = report.warnings.find((w) => w.startsWith('balances not as the run explains them'));
    expect(warning).toMatch(/the accounts the tariff alone prices spent (\d+), the tariff gives (\d+)/);
    const [, spent, gives] = /alone prices spent (\d+), the tariff gives (\d+)/.exec(warning!)!;
    expect(Number(spent) - Number(gives)).toBe(7);
    expect(warning).toMatch(/money in total \(available \+ reserved \+ spent\) changed by 500/);
    expect(formatReport(report)).toMatch(/NOT consistent/);
  });
});
