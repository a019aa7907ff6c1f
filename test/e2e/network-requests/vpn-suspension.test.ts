/**
 * A VPN member's package suspended by the monthly run (DESIGN §3): its open sessions, granted
 * with the preference, are told as the package's `onSuspension` says: an ASR (`abort`), or a RAR
 * (`reauthorize`, the default) after which the next CCR-U is rated at the tariff. The client
 * holds a connection to instance A only; the run is asked of instance B's admin API.
 *
 * Each test has a server of its own: it moves the clock across months, and a monthly run covers
 * every activation under the server's key prefix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../src/server/start.js';
import { mscc, seconds, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, msccView, numbering, provisionAt, voiceLeg } from '../vpn/support.js';
import { ABORT_SESSION, RE_AUTH, ServerRequests, admin, instanceWithoutClient, metric } from './support.js';

const FORCED_REAUTHORISATION = 7;
const L0 = 'vpn:vpn-a:L0';
const MARCH = Date.UTC(2026, 2, 10, 9, 0, 0);
const APRIL_FIRST = Date.UTC(2026, 3, 1, 0, 5, 0);

let ocs: OcsFixture | undefined;
afterEach(async () => {
  await ocs?.close();
  ocs = undefined;
});

const next = numbering(700);

/**
 * A server at 2026-03-10 and its instance B; package vpn-a (fee 5.00, 600 free seconds) with
 * `onSuspension` as given; a and z belong to G (6001, 6002), both active. a's 5.30 pays March's
 * fee and leaves 0.30, short of April's. a calls z's short number: a voice session granted 120
 * seconds of the package's free level.
 */
async function suspendable(onSuspension?: 'abort' | 'reauthorize', env: Record<string, string> = {}) {
  ocs = await startOcs({ startMs: MARCH, env });
  const o = ocs;
  const other = await instanceWithoutClient(o);
  const requests = new ServerRequests(o.peer);
  const [a, z] = [next(), next()];
  await provisionAt(
    o,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: std, balance: 530 }
  - { msisdn: '${z}', prepaid: true, tariff: std, balance: 10000 }
vpn:
  packages:
    - id: vpn-a
      monthlyFee: 500
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 600, unitSeconds: 60 }
        - { type: payment, unitSeconds: 60, pricePerUnit: 5 }
${onSuspension ? `      onSuspension: ${onSuspension}` : ''}
  groups:
    - id: G
      name: group G
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
  activations:
    - { msisdn: '${a}', package: vpn-a, when: immediate }
    - { msisdn: '${z}', package: vpn-a, when: immediate }
`,
  );
  const s = voiceLeg(o, { served: a, calling: `tel:+${a}`, called: 'tel:6002', role: 'originating' });
  expect(msccView(await s.initial([mscc(RG, { rsu: [seconds(120)] })]))).toMatchObject({
    resultCode: 2001,
    granted: 120,
  });
  expect(await buckets(o, a)).toEqual({ money: b(30, 0, 500), [L0]: b(480, 120, 0) });
  o.clock.ms = APRIL_FIRST;
  return { o, other, requests, a, s };
}

/** April's run through instance B's admin API: a's fee cannot be paid. */
async function runApril(
  other: RunningServer,
  a: string,
  onSuspension: string,
  suspensions = [{ msisdn: a, package: 'vpn-a', onSuspension }],
) {
  const run = await admin(other, 'POST', '/vpn/monthly-runs', { month: '2026-04' });
  expect(run.status).toBe(200);
  expect(run.json).toMatchObject({ charged: 1, suspended: 1, suspensions, failed: [] });
}

describe("a VPN package suspended by the monthly run: the member's open sessions are told", () => {
  it('onSuspension abort: an ASR; the CCR-T charges what was used, nothing stays reserved', async () => {
    const { o, other, requests, a, s } = await suspendable('abort');
    await runApril(other, a, 'abort');

    const asr = await requests.nth(1, 2000);
    expect(requests.received[0]?.commandCode).toBe(ABORT_SESSION);
    expect(asr.get('Session-Id')).toBe(s.id);
    const t = await s.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
    expect(t.get('Result-Code')).toBe(2001);
    expect(requests.received.map((r) => r.commandCode)).toEqual([ABORT_SESSION]);
    // The 90 seconds were used under the grant of March's package: 2 started minutes of L0.
    expect(await buckets(o, a)).toEqual({ money: b(30, 0, 500), [L0]: b(480, 0, 120) });
    expect(await metric(o.server, 'ocs_asr_sent_total{trigger="vpn",outcome="success"}')).toBe(1);
  });

  it('by default a RAR: the next CCR-U is granted at the tariff, from money', async () => {
    const { o, other, requests, a, s } = await suspendable();
    await runApril(other, a, 'reauthorize');

    const rar = await requests.nth(1, 2000);
    expect(requests.received[0]?.commandCode).toBe(RE_AUTH);
    expect(rar.get('Session-Id')).toBe(s.id);
    expect(rar.get('Re-Auth-Request-Type')).toBe(0);
    const u = await s.update([
      mscc(RG, { rsu: [seconds(120)], usu: [[seconds(60)]], reportingReason: FORCED_REAUTHORISATION }),
    ]);
    // The minute used is March's package's; the new grant is 2 minutes at the tariff's 0.15,
    // all of a's 0.30, and no free second is held.
    expect(msccView(u)).toMatchObject({ resultCode: 2001, granted: 120 });
    expect(await buckets(o, a)).toEqual({ money: b(0, 30, 500), [L0]: b(540, 0, 60) });
    await s.terminate([mscc(RG, { usu: [[seconds(60)]] })]);
    expect(await buckets(o, a)).toEqual({ money: b(15, 0, 515), [L0]: b(540, 0, 60) });
    expect(requests.received.map((r) => r.commandCode)).toEqual([RE_AUTH]);
    expect(await metric(o.server, 'ocs_rar_sent_total{trigger="vpn",outcome="success"}')).toBe(1);
  });

  it("by the servers' own run (VPN_MONTHLY_RUN=auto) the same", async () => {
    const { other, requests, s } = await suspendable('abort', { VPN_MONTHLY_RUN: 'auto' });
    expect(await other.vpnMonthly?.check()).toBe('ran');

    await requests.nth(1, 2000);
    expect(requests.received[0]?.commandCode).toBe(ABORT_SESSION);
    expect(requests.view(requests.received[0]!).get('Session-Id')).toBe(s.id);
    await s.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
  });
});

describe('a resume refused for want of money suspends the package too', () => {
  it('the member, active until the month turned, gets what its package says', async () => {
    const { o, other, requests, a, s } = await suspendable('abort');
    const resume = await admin(other, 'POST', `/vpn/activations/${a}/resume`);
    expect(resume.status).toBe(422);
    expect(resume.json).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });

    await requests.nth(1, 2000);
    expect(requests.received[0]?.commandCode).toBe(ABORT_SESSION);
    expect(requests.view(requests.received[0]!).get('Session-Id')).toBe(s.id);
    await s.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
    expect(await buckets(o, a)).toEqual({ money: b(30, 0, 500), [L0]: b(480, 0, 120) });

    // Suspended already: the month's run names no one, and sends nothing more.
    await runApril(other, a, 'abort', []);
    await new Promise((r) => setTimeout(r, 200));
    expect(requests.received).toHaveLength(1);
  });
});
