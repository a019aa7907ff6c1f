/**
 * The /metrics scrape moves as traffic does: answers by request type and Result-Code, MSCC
 * results, units by unit, frozen money by currency back to zero once sessions end, store calls,
 * latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  seconds,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { Scrape } from './exposition.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

async function scrape(): Promise<string> {
  return (await Scrape.of(ocs.server.httpPort)).text;
}

/** The value of one sample, e.g. metric('ocs_x_total', { a: '1' }); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics', () => {
  it('count answers by request type and Result-Code, and the frozen money returns to zero', async () => {
    const before = await scrape();
    const rich = await ocs.account({ balance: 10_000 });
    const data = new CcSession(ocs, CONTEXT.data, rich);
    await data.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);

    const during = await scrape();
    // Read from this deployment's keys in Redis: exactly what its sessions hold.
    expect(new Scrape(during).value('ocs_charging_money_reserved', { currency: 'CNY' })).toBe(60);
    expect(new Scrape(during).value('ocs_charging_sessions_active')).toBe(1);

    await data.update([mscc(10, { rsu: [octets(MiB)], usu: [[octets(2 * MiB)]] })]);
    await data.terminate([mscc(10, { usu: [[octets(MiB)]] })]);

    const poor = await ocs.account({ balance: 15 });
    const call = new CcSession(ocs, CONTEXT.voice, poor);
    await call.initial([mscc(100, { rsu: [seconds(60)] })]);
    const refused = await call.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
    expect(refused.get('Result-Code')).toBe(4012);
    await call.terminate([mscc(100, { usu: [[seconds(0)]] })]);

    const after = await scrape();
    const grew = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(
      grew('ocs_diameter_answers_total', { command: 'CC', request_type: 'INITIAL', result_code: '2001' }),
    ).toBe(2);
    expect(
      grew('ocs_diameter_answers_total', { command: 'CC', request_type: 'UPDATE', result_code: '4012' }),
    ).toBe(1);
    expect(
      grew('ocs_diameter_answers_total', { command: 'CC', request_type: 'TERMINATION', result_code: '2001' }),
    ).toBe(2);
    expect(
      grew('ocs_charging_service_results_total', {
        service: 'voice',
        request_type: 'update',
        result_code: '4012',
      }),
    ).toBe(1);
    expect(grew('ocs_charging_final_unit_indications_total', { service: 'voice' })).toBe(1);
    expect(grew('ocs_charging_used_octets_total', { service: 'data', rating_group: '10' })).toBe(3 * MiB);
    expect(grew('ocs_charging_granted_octets_total', { service: 'data', rating_group: '10' })).toBe(3 * MiB);
    expect(grew('ocs_charging_granted_seconds_total', { service: 'voice', rating_group: '100' })).toBe(60);
    expect(grew('ocs_charging_used_seconds_total', { service: 'voice', rating_group: '100' })).toBe(60);
    expect(grew('ocs_charging_money_charged_total', { currency: 'CNY' })).toBe(90 + 15);
    expect(grew('ocs_charging_sessions_closed_total', { service: 'data', reason: 'termination' })).toBe(1);
    expect(new Scrape(after).value('ocs_charging_money_reserved', { currency: 'CNY' })).toBe(0);
    expect(new Scrape(after).value('ocs_charging_sessions_active')).toBe(0);
    expect(grew('ocs_store_script_calls_total', { script: 'apply', outcome: 'ok' })).toBe(2);
    expect(
      grew('ocs_diameter_request_duration_seconds_count', { command: 'CC', request_type: 'UPDATE' }),
    ).toBe(2);
    expect(sample(after, 'ocs_store_redis_connected')).toBe(1);
    expect(sample(after, 'ocs_diameter_peers', { state: 'open' })).toBeGreaterThanOrEqual(1);
    expect(after).toContain('nodejs_eventloop_lag_seconds');
  });

  it('serves health and readiness', async () => {
    const base = `http://127.0.0.1:${ocs.server.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
