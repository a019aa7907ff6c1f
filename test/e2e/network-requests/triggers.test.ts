/**
 * What else sends a RAR or an ASR: a tariff's new prices, a provisioning document, a VPN
 * package activated now, and an `ocs` command, which holds no Diameter connection and asks the
 * instance that does.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../../src/credit-control/sessions.js';
import { requestingTriggers } from '../../../src/network-requests/network.js';
import type { RunningServer } from '../../../src/server/start.js';
import {
  CONTEXT,
  CcSession,
  MiB,
  TARIFFS_YAML,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { ABORT_SESSION, RE_AUTH, ServerRequests, admin, instanceWithoutClient, until } from './support.js';

let ocs: OcsFixture;
let b: RunningServer;
let requests: ServerRequests;

beforeAll(async () => {
  ocs = await startOcs({ settings: { data: { defaultQuota: MiB, maxQuota: 8 * MiB, validityTime: 600 } } });
  b = await instanceWithoutClient(ocs);
  requests = new ServerRequests(ocs.peer);
});
afterAll(() => ocs.close());

async function openSession(tariff = 'std') {
  const msisdn = await ocs.account({ balance: 1000, tariff });
  const s = new CcSession(ocs, CONTEXT.data, msisdn);
  await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
  return { msisdn, s };
}

/** The Session-Ids of the requests of this command code received since `from`. */
function sessionsSent(commandCode: number, from: number): string[] {
  return requests.received
    .slice(from)
    .filter((r) => r.commandCode === commandCode)
    .map((r) => String(requests.view(r).get('Session-Id')));
}

describe('triggers', () => {
  it('new prices of a tariff: RAR to the sessions rated by it, none to the others', async () => {
    const from = requests.received.length;
    const priced = await openSession('std');
    await ocs.provision(TARIFFS_YAML.replace('id: std', 'id: std-2'));
    const other = await openSession('std-2');
    const put = await admin(b, 'PUT', '/tariffs/std', {
      currency: 'CNY',
      voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
      sms: { pricePerMessage: 10 },
      data: {
        ratingGroups: {
          '10': { unitOctets: MiB, pricePerUnit: 40 },
          '20': { unitOctets: MiB, pricePerUnit: 10 },
        },
      },
    });
    expect(put.status).toBe(200);
    await requests.nth(from + 1, 1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(sessionsSent(RE_AUTH, from)).toContain(priced.s.id);
    expect(sessionsSent(RE_AUTH, from)).not.toContain(other.s.id);
  });

  it('a provisioning document reporting an account lost: ASR', async () => {
    const from = requests.received.length;
    const { msisdn, s } = await openSession();
    const result = await admin(b, 'POST', '/provisioning', {
      accounts: [{ msisdn, tariff: 'std', balance: 0, status: 'lost' }],
    });
    expect(result.status).toBe(200);
    await requests.nth(from + 1, 1000);
    expect(sessionsSent(ABORT_SESSION, from)).toEqual([s.id]);
    await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
  });

  it("a bundle bought through the API: RAR to the account's sessions", async () => {
    await ocs.provision(`
bundles:
  - id: data-1m
    fee: 100
    units: { octets: ${MiB} }
    appliesTo: { service: data, ratingGroups: ['10'] }
    validity: { days: 30 }
`);
    const { msisdn, s } = await openSession('std-2');
    const from = requests.received.length;
    const bought = await admin(b, 'POST', `/accounts/${msisdn}/bundles`, {
      bundle: 'data-1m',
      reference: `b-${s.id}`,
    });
    expect(bought.status).toBe(201);
    await requests.nth(from + 1, 1000);
    expect(sessionsSent(RE_AUTH, from)).toEqual([s.id]);
    // The same reference again buys nothing, and tells no one.
    await admin(b, 'POST', `/accounts/${msisdn}/bundles`, { bundle: 'data-1m', reference: `b-${s.id}` });
    await new Promise((r) => setTimeout(r, 100));
    expect(sessionsSent(RE_AUTH, from)).toEqual([s.id]);
  });

  it('a top-up by an `ocs` command, which holds no connection: the instance holding it sends the RAR', async () => {
    // A tariff of its own: the first test changes std's prices.
    await ocs.provision(TARIFFS_YAML.replace('id: std', 'id: std-cli'));
    const msisdn = await ocs.account({ balance: 30, tariff: 'std-cli' });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
    await s.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(MiB)]] })]);
    const from = requests.received.length;
    await ocs.server.store.topup({ opId: `cli-${s.id}`, msisdn, amount: 1000, nowMs: ocs.clock.ms });
    const command = requestingTriggers({
      redis: ocs.redis,
      keyPrefix: ocs.prefix,
      sessions: new SessionStore(ocs.redis, ocs.server.sessionKeys),
      abortCloseMs: 10_000,
      logger: pino({ level: 'silent' }),
    });
    const [sent] = await command.credited(msisdn, 'topup');
    expect(sent).toMatchObject({
      sessionId: s.id,
      kind: 'rar',
      outcome: 'sent',
      instance: ocs.server.network.instanceId,
    });
    await until(() => sessionsSent(RE_AUTH, from).includes(s.id), 'the RAR at the client');
  });
});
