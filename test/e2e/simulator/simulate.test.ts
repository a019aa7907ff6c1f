/**
 * The simulator against a real server over loopback: it provisions its own tariff and
 * accounts, runs a 2-second mixed scenario, and the report must show every CCR answered with
 * the Result-Codes the scenario expects, and balances that moved exactly as the tariff says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/simulator/scenario.js';
import { Simulation } from '../../../src/simulator/simulation.js';
import type { Report } from '../../../src/simulator/report.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

const MiB = 1_048_576;
let ocs: SimulatorServer | undefined;
let report: Report;

function scenario(port: number) {
  return parseScenario(
    `
name: e2e-mixed
peers: { count: 2, originHost: 'pgw{n}.e2e.example', originRealm: e2e.example, server: { port: ${port} } }
mode: { type: rate, sessionsPerSecond: 150, rampSeconds: 0.5 }
stop: { duration: 2, drainSeconds: 3 }
msisdn: { first: '8613600000000', count: 40 }
mix:
  - { kind: data, weight: 5, ratingGroups: [10, 20], updates: 2, requestedOctets: ${MiB}, usedOctets: 1500000 }
  - kind: voice
    weight: 3
    callSeconds: 150
    chunkSeconds: 60
    called: { first: '8613600000000', count: 40 }
    vpn: { shortNumbers: ['6001', '6002'], share: 0.3 }
    # None of these callers is in a VPN group: DESIGN §2 lets the server refuse their short numbers.
    expect: [2001, 4010]
  - { kind: sms, weight: 1, messages: 2 }
  - { kind: debit, weight: 1, service: data, units: 3000000, ratingGroup: 10 }
  # Subscribers with 0.20 left: one final minute, then refused.
  - kind: voice
    weight: 1
    callSeconds: 90
    calling: { first: '8613610000000', count: 5 }
    called: { first: '8613600000000', count: 40 }
    expect: [2001, 4012]
provision:
  tariff:
    id: e2e-sim
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
    sms: { pricePerMessage: 10 }
    data:
      ratingGroups:
        '10': { unitOctets: ${MiB}, pricePerUnit: 30 }
        '20': { unitOctets: ${MiB}, pricePerUnit: 10 }
  accounts:
    - { first: '8613600000000', count: 40, balance: 10000000 }
    - { first: '8613610000000', count: 5, balance: 20 }
`,
    'e2e',
  );
}

beforeAll(async () => {
  ocs = await startSimulatorServer('e2e-sim');
  const simulation = new Simulation(scenario(ocs.server.diameterPort), { provisioning: ocs.provisioning });
  report = await simulation.run();
});

afterAll(() => ocs?.close());

describe('ocs simulate against a running server', () => {
  it('has every CCR answered, none timed out, every session ended', () => {
    expect(report.ccr.sent).toBeGreaterThan(600);
    expect(report.ccr.answered).toBe(report.ccr.sent);
    expect(report.ccr.timedOut).toBe(0);
    expect(report.ccr.unanswered).toBe(0);
    const total = report.sessions.total;
    expect(total.started).toBeGreaterThan(200);
    expect(total.completed).toBe(total.started);
    expect(total.aborted).toBe(0);
    expect(Object.keys(report.ccr.byType).sort()).toEqual(['CCR-E', 'CCR-I', 'CCR-T', 'CCR-U']);
    expect(report.seconds).toBeGreaterThanOrEqual(2);
    expect(report.seconds).toBeLessThan(5);
  });

  it('gets only the Result-Codes the scenario expects, and the low-balance calls are refused', () => {
    expect(report.unexpected).toEqual([]);
    expect(report.unexpectedTotal).toBe(0);
    expect(Object.keys(report.resultCodes['CCR-I']!).sort()).toEqual(['2001', '4012']);
    expect(report.resultCodes['CCR-T']).toEqual({ '2001': expect.any(Number) });
    expect(report.sessions['voice-2']!.refused).toBeGreaterThan(0);
    expect(report.sessions.data!.refused).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('moves balances exactly as the tariff prices the usage the server accepted', () => {
    const money = report.money!;
    expect(money.expected).toBeGreaterThan(0);
    expect(money.accounts).toBe(45);
    expect(money.spent).toBe(money.expected + money.expectedVpn);
    expect(money.reservedChange).toBe(0);
    expect(money.totalChange).toBe(0);
    expect(money.consistent).toBe(true);
  });

  it('measures latency per request type and its own CPU', () => {
    for (const label of ['CCR-I', 'CCR-U', 'CCR-T', 'CCR-E', 'all']) {
      const l = report.latencyMs[label]!;
      expect(l.count).toBeGreaterThan(0);
      expect(l.p50).toBeGreaterThan(0);
      expect(l.p50).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.max);
    }
    expect(report.cpu.simulator.microsPerCcr).toBeGreaterThan(0);
  });
});
