/**
 * The simulator over TLS (RFC 6733 §2.1) to a server that asks every peer for a certificate
 * signed by its CA and naming the peer's Origin-Host: a short load with the scenario's
 * `peers.server.tls`, every answer as expected and the money exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/simulator/scenario.js';
import { Simulation } from '../../../src/simulator/simulation.js';
import type { Report } from '../../../src/simulator/report.js';
import { createTestPki, type TestPki } from '../../support/tls-certificates.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

let pki: TestPki | undefined;
let ocs: SimulatorServer | undefined;
let report: Report;

beforeAll(async () => {
  pki = createTestPki();
  const pgw = pki.issue('pgw', { dns: ['pgw1.tls.example', 'pgw2.tls.example'] });
  ocs = await startSimulatorServer('e2e-tls', {
    DIAMETER_TLS_PORT: '0',
    DIAMETER_TLS_CERT: pki.server.certFile,
    DIAMETER_TLS_KEY: pki.server.keyFile,
    DIAMETER_TLS_CA: pki.ca.certFile,
    DIAMETER_TLS_MATCH_ORIGIN_HOST: 'true',
  });
  const scenario = parseScenario(
    `
name: e2e-tls
peers:
  count: 2
  originHost: 'pgw{n}.tls.example'
  originRealm: tls.example
  server:
    port: ${ocs.server.diameterTlsPort}
    tls: { ca: '${pki.ca.certFile}', cert: '${pgw.certFile}', key: '${pgw.keyFile}', servername: ocs.localdomain }
mode: { type: rate, sessionsPerSecond: 100 }
stop: { duration: 1, drainSeconds: 3 }
msisdn: { first: '8613630000000', count: 20 }
mix:
  - { kind: data, weight: 3, ratingGroups: [10], updates: 1, requestedOctets: 1048576, usedOctets: 1000000 }
  - { kind: sms, weight: 1, messages: 1 }
provision:
  tariff:
    id: e2e-tls
    currency: CNY
    sms: { pricePerMessage: 10 }
    data: { ratingGroups: { '10': { unitOctets: 1048576, pricePerUnit: 30 } } }
  accounts:
    - { first: '8613630000000', count: 20, balance: 10000000 }
`,
    'e2e-tls',
  );
  report = await new Simulation(scenario, { provisioning: ocs.provisioning }).run();
});

afterAll(async () => {
  await ocs?.close();
  pki?.remove();
});

describe('ocs simulate over TLS', () => {
  it('has every CCR answered as expected and every session ended', () => {
    expect(report.ccr.sent).toBeGreaterThan(150);
    expect(report.ccr.answered).toBe(report.ccr.sent);
    expect(report.ccr.timedOut).toBe(0);
    expect(report.unexpected).toEqual([]);
    const total = report.sessions.total;
    expect(total.completed).toBe(total.started);
    expect(report.ok).toBe(true);
  });

  it('moves the balances exactly as the tariff prices the usage', () => {
    const money = report.money!;
    expect(money.expected).toBeGreaterThan(0);
    expect(money.spent).toBe(money.expected);
    expect(money.reservedChange).toBe(0);
    expect(money.consistent).toBe(true);
  });
});
