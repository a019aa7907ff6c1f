/**
 * A server over its admission limit answers 3004 (RFC 6733 §7.1.3, DIAMETER_TOO_BUSY) without
 * processing the request; the simulator, like a real client, sends the request again. Every
 * session must still end, the refusals are shown, and the money comes out exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/simulator/scenario.js';
import { Simulation } from '../../../src/simulator/simulation.js';
import type { Report } from '../../../src/simulator/report.js';
import { formatReport } from '../../../src/simulator/report-text.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

let ocs: SimulatorServer | undefined;
let report: Report;

beforeAll(async () => {
  ocs = await startSimulatorServer('e2e-busy', { DIAMETER_MAX_IN_FLIGHT: '2' });
  const scenario = parseScenario(
    `
name: e2e-busy
peers: { count: 2, originHost: 'pgw{n}.busy.example', originRealm: busy.example, server: { port: ${ocs.server.diameterPort} } }
mode: { type: concurrency, sessions: 40 }
stop: { duration: 1, drainSeconds: 5 }
msisdn: { first: '8613620000000', count: 40 }
mix:
  - { kind: data, ratingGroups: [10], updates: 2, requestedOctets: 1048576, usedOctets: 1000000 }
provision:
  tariff:
    id: e2e-busy
    currency: CNY
    data: { ratingGroups: { '10': { unitOctets: 1048576, pricePerUnit: 30 } } }
  accounts:
    - { first: '8613620000000', count: 40, balance: 10000000 }
`,
    'e2e-busy',
  );
  report = await new Simulation(scenario, { provisioning: ocs.provisioning }).run();
});

afterAll(() => ocs?.close());

describe('ocs simulate against a server over its admission limit', () => {
  it('sends the requests answered 3004 again, and every session ends', () => {
    expect(report.ccr.busy).toBeGreaterThan(0);
    expect(report.ccr.answered).toBe(report.ccr.sent);
    expect(report.resultCodes['CCR-I']).toEqual({ '2001': expect.any(Number) });
    expect(report.unexpected).toEqual([]);
    const total = report.sessions.total;
    expect(total.started).toBeGreaterThan(40);
    expect(total.completed).toBe(total.started);
    expect(total.aborted).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('says so in the report', () => {
    expect(formatReport(report)).toContain(
      `answered 3004 and sent again ${report.ccr.busy.toLocaleString('en-US')}`,
    );
    expect(report.warnings.join('\n')).toMatch(/answered 3004 \(server too busy\) and sent again/);
  });

  it('charges each request once: the money is exact', () => {
    expect(report.money!.consistent).toBe(true);
    expect(report.money!.reservedChange).toBe(0);
    expect(report.money!.spent).toBe(report.money!.expected);
  });
});
