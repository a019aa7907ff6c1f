/**
 * DIAMETER_MAX_IN_FLIGHT end to end, through the configuration and the whole server: past the
 * limit a CCR is answered 3004 DIAMETER_TOO_BUSY at once (RFC 6733 §7.1.3: the client may send
 * it to another peer), with the E bit, without touching the balance, and counted in /metrics;
 * the requests admitted get their normal answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedAnswer } from '../../support/diameter-peer.js';
import {
  CCR,
  CONTEXT,
  CREDIT_CONTROL,
  CcSession,
  MiB,
  OCS_ORIGIN_HOST,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

const LIMIT = 3;
const BURST = 8;

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({ env: { DIAMETER_MAX_IN_FLIGHT: String(LIMIT) } });
});
afterAll(() => ocs.close());

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('admission limit (DIAMETER_MAX_IN_FLIGHT)', () => {
  it(`with ${LIMIT} in progress, answers the rest of a burst 3004 at once and serves the ${LIMIT}`, async () => {
    const before = await scrape();
    const msisdn = await ocs.account({ balance: 10_000 });
    const sessions = Array.from({ length: BURST }, () => new CcSession(ocs, CONTEXT.data, msisdn));
    const requests = sessions.map((s) => s.build('initial', [mscc(10, { rsu: [octets(2 * MiB)] })]));

    // One write: the server frames all of them before any can finish (each waits on Redis), so
    // exactly the first LIMIT are admitted whatever the machine's speed.
    ocs.peer.cork();
    const pending: Promise<ReceivedAnswer>[] = requests.map((r) => ocs.peer.request(CCR, CREDIT_CONTROL, r));
    ocs.peer.uncork();
    const answers = await Promise.all(pending);

    answers.forEach((answer, i) => {
      expect(answer.get('Session-Id')).toBe(sessions[i]!.id);
      expect(answer.get('Origin-Host')).toBe(OCS_ORIGIN_HOST);
      if (i < LIMIT) {
        expect(answer.get('Result-Code')).toBe(2001);
        expect(answer.errorBit).toBe(false);
        expect(answer.get('Multiple-Services-Credit-Control')).toBeDefined();
      } else {
        expect(answer.get('Result-Code')).toBe(3004);
        // 3xxx: a protocol error, E bit set, no credit-control body (RFC 6733 §7.1.3).
        expect(answer.errorBit).toBe(true);
        expect(answer.get('Multiple-Services-Credit-Control')).toBeUndefined();
        expect(answer.get('Error-Message')).toEqual(expect.any(String));
      }
    });

    // Only the admitted sessions reserved money: 2 MiB of RG 10 at 0.30 each.
    const money = await ocs.balance(msisdn);
    expect(money.reserved).toBe(LIMIT * 60);
    expect(money.available).toBe(10_000 - LIMIT * 60);

    const after = await scrape();
    const grew = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(grew('ocs_diameter_protocol_errors_total', { result_code: '3004' })).toBe(BURST - LIMIT);
    expect(
      grew('ocs_diameter_answers_total', { command: 'CC', request_type: 'INITIAL', result_code: '3004' }),
    ).toBe(BURST - LIMIT);
    expect(
      grew('ocs_diameter_answers_total', { command: 'CC', request_type: 'INITIAL', result_code: '2001' }),
    ).toBe(LIMIT);
    expect(sample(after, 'ocs_diameter_requests_in_flight')).toBe(0);

    // The limit counts requests in progress, not sessions: answered ones make room again.
    for (const s of sessions.slice(0, LIMIT)) {
      s.number = 1;
      expect((await s.terminate([mscc(10, { usu: [[octets(MiB)]] })])).get('Result-Code')).toBe(2001);
    }
    const settled = await ocs.balance(msisdn);
    expect([settled.reserved, settled.spent]).toEqual([0, LIMIT * 30]);
  });
});
