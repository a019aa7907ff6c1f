/**
 * `ocs simulate` against a real server and Redis on a tariff with destinations, a barred
 * premium range, APN and roaming prices and a time band: the simulator calls the destinations
 * and reaches the APNs in turn, and its money check, pricing each report as the server rates
 * it, calls the run consistent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionScenario } from '../../../src/simulator/provision.js';
import { parseScenario, type Scenario } from '../../../src/simulator/scenario.js';
import { Simulation } from '../../../src/simulator/simulation.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

const MiB = 1_048_576;
const FIRST = '8613660000000';

let ocs: SimulatorServer | undefined;

function scenario(port: number): Scenario {
  return parseScenario(
    `
name: e2e-destinations
peers: { count: 2, originHost: 'ims{n}.e2e.example', originRealm: e2e.example, server: { port: ${port} } }
mode: { type: rate, sessionsPerSecond: 100 }
stop: { duration: 2, drainSeconds: 3 }
msisdn: { first: '${FIRST}', count: 20 }
mix:
  - kind: voice
    weight: 3
    callSeconds: 100
    destinations: ['8613912345678', '861062345678', '12125550100', '8616800000000']
    expect: [2001, 4010]
  - kind: data
    weight: 2
    ratingGroups: [10]
    updates: 1
    requestedOctets: ${MiB}
    usedOctets: 1000000
    apns: [ims, internet, internet]
    networks: ['46000', '310410', '46001']
provision:
  tariff:
    id: e2e-world
    currency: CNY
    timeZone: Asia/Shanghai
    voice:
      unitSeconds: 60
      pricePerUnit: 15
      destinations:
        - { prefix: '8610', name: beijing, pricePerUnit: 10 }
        - { prefix: '1', name: nanp, pricePerUnit: 120, unitSeconds: 6 }
        - { prefix: '86168', name: premium, barred: true }
    data:
      ratingGroups: { '10': { unitOctets: ${MiB}, pricePerUnit: 30 } }
      apns: { ims: { '10': { unitOctets: ${MiB}, pricePerUnit: 0 } } }
      roaming: [{ mccMnc: '310', name: usa, ratingGroups: { '10': { unitOctets: ${MiB}, pricePerUnit: 300 } } }]
    timeBands:
      - { name: every-day, days: [mon, tue, wed, thu, fri, sat, sun], percent: 70 }
  accounts:
    - { first: '${FIRST}', count: 20, balance: 100000000 }
`,
    'e2e-destinations',
  );
}

beforeAll(async () => {
  ocs = await startSimulatorServer('e2e-simdest');
  await provisionScenario(ocs.provisioning, scenario(ocs.server.diameterPort));
});

afterAll(() => ocs?.close());

describe('the money check on a tariff with destinations, APNs, roaming and a band', () => {
  it('prices every report as the server rates it', async () => {
    const report = await new Simulation(scenario(ocs!.server.diameterPort), {
      provisioning: ocs!.provisioning,
    }).run();
    expect(report.unexpected).toEqual([]);
    expect(report.ccr.timedOut).toBe(0);
    // The premium calls were refused: 4010, each a CCR-I only.
    expect(report.resultCodes['CCR-I']?.['4010']).toBeGreaterThan(0);
    const money = report.money!;
    expect(money.expected).toBeGreaterThan(0);
    expect(money.spent).toBe(money.expected);
    expect([money.reservedChange, money.totalChange]).toEqual([0, 0]);
    expect(money.consistent).toBe(true);
    expect(report.ok).toBe(true);
  });
});
