/**
 * The VPN function over Diameter (ZTE FIG. 3, [0062]-[0071]; DESIGN §3): only a VPN valid user
 * (a member whose function is active) is rated by its package. A next-month activation gives
 * no preference until the monthly run of that month charges its fee; a package whose fee could
 * not be paid is suspended and gives none until it is paid. A member without the prepaid
 * service gets 4011 CREDIT_CONTROL_NOT_APPLICABLE, and its usage is still recorded.
 *
 * Each test has a server of its own: it moves the clock across months, and a monthly run
 * covers every activation under the server's key prefix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mscc, seconds, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, msccView, numbering, provisionAt, voiceLeg, vpnRegistry } from './support.js';

const L0 = 'vpn:vpn-a:L0';
const MARCH = Date.UTC(2026, 2, 10, 9, 0, 0);
const APRIL_FIRST = Date.UTC(2026, 3, 1, 0, 5, 0);

let ocs: OcsFixture | undefined;
afterEach(async () => {
  await ocs?.close();
  ocs = undefined;
});

const next = numbering(900);

/** A server at 2026-03-10 with package vpn-a (fee 5.00, 600 free seconds, then 0.05/min). */
async function server(): Promise<OcsFixture> {
  ocs = await startOcs({ startMs: MARCH });
  await provisionAt(
    ocs,
    `
vpn:
  packages:
    - id: vpn-a
      monthlyFee: 500
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 600, unitSeconds: 60 }
        - { type: payment, unitSeconds: 60, pricePerUnit: 5 }
`,
  );
  return ocs;
}

/** a and z belong to group G (6001, 6002); their activations as given. */
async function members(
  o: OcsFixture,
  spec: { aBalance: number; aWhen?: 'immediate' | 'next-month'; zWhen?: 'immediate' | 'next-month' },
) {
  const a = next();
  const z = next();
  const activations = [
    spec.aWhen ? `    - { msisdn: '${a}', package: vpn-a, when: ${spec.aWhen} }` : '',
    spec.zWhen ? `    - { msisdn: '${z}', package: vpn-a, when: ${spec.zWhen} }` : '',
  ].filter(Boolean);
  await provisionAt(
    o,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: std, balance: ${spec.aBalance} }
  - { msisdn: '${z}', prepaid: true, tariff: std, balance: 10000 }
vpn:
  groups:
    - id: G
      name: group G
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
  activations:
${activations.join('\n') || '    []'}
`,
  );
  return { a, z };
}

/** a calls z's short number for 90 s (the originating leg). */
async function call(o: OcsFixture, a: string) {
  const s = voiceLeg(o, { served: a, calling: `tel:+${a}`, called: 'tel:6002', role: 'originating' });
  const i = await s.initial([mscc(RG, { rsu: [seconds(120)] })]);
  expect(msccView(i)).toMatchObject({ resultCode: 2001, granted: 120 });
  await s.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
  return (await o.cdrs(a))[0];
}

describe('activation for next month', () => {
  it('gives no preference until the monthly run of next month charges the fee', async () => {
    const o = await server();
    const { a } = await members(o, { aBalance: 1000, aWhen: 'next-month', zWhen: 'immediate' });
    expect(await vpnRegistry(o).activation(a)).toEqual({
      msisdn: a,
      package: 'vpn-a',
      status: 'pending',
      activeFrom: '2026-04',
      paidThrough: '',
    });
    // Nothing charged, no free credit yet.
    expect(await buckets(o, a)).toEqual({ money: b(1000, 0, 0) });

    // March: the plain tariff, 2 started minutes at 0.15.
    expect(await call(o, a)).toMatchObject({ levels: ['pps:std:voice-mo'], amounts: { money: 30 } });
    expect(await buckets(o, a)).toEqual({ money: b(970, 0, 30) });

    // 1 April, before the monthly run: still pending, still the plain tariff.
    o.clock.ms = APRIL_FIRST;
    expect(await call(o, a)).toMatchObject({ levels: ['pps:std:voice-mo'], amounts: { money: 30 } });
    expect(await buckets(o, a)).toEqual({ money: b(940, 0, 60) });

    // The April run charges a's first fee (and z's April fee), and a's free seconds start.
    const summary = await vpnRegistry(o).monthlyRun('2026-04', o.clock.ms);
    expect(summary).toEqual({
      month: '2026-04',
      charged: 2,
      suspended: 0,
      suspensions: [],
      skipped: 0,
      bundles: { renewed: 0, unpaid: 0, lapsed: 0, expired: 0 },
      failed: [],
    });
    expect(await vpnRegistry(o).activation(a)).toMatchObject({ status: 'active', paidThrough: '2026-04' });
    expect(await buckets(o, a)).toEqual({ money: b(440, 0, 560), [L0]: b(600, 0, 0) });

    // Now the preference: free seconds, money untouched.
    expect(await call(o, a)).toMatchObject({ levels: ['vpn:vpn-a'], amounts: { [L0]: 120 } });
    expect(await buckets(o, a)).toEqual({ money: b(440, 0, 560), [L0]: b(480, 0, 120) });
  });
});

describe('a suspended package', () => {
  it('gives no preference while its fee is unpaid, and gives it again once paid', async () => {
    const o = await server();
    // 5.30: the March fee leaves 0.30, not enough for April's.
    const { a } = await members(o, { aBalance: 530, aWhen: 'immediate', zWhen: 'immediate' });
    expect(await buckets(o, a)).toEqual({ money: b(30, 0, 500), [L0]: b(600, 0, 0) });
    expect(await call(o, a)).toMatchObject({ levels: ['vpn:vpn-a'], amounts: { [L0]: 120 } });
    expect(await buckets(o, a)).toEqual({ money: b(30, 0, 500), [L0]: b(480, 0, 120) });

    o.clock.ms = APRIL_FIRST;
    const summary = await vpnRegistry(o).monthlyRun('2026-04', o.clock.ms);
    expect(summary).toEqual({
      month: '2026-04',
      charged: 1,
      suspended: 1,
      suspensions: [{ msisdn: a, package: 'vpn-a', onSuspension: 'reauthorize' }],
      skipped: 0,
      bundles: { renewed: 0, unpaid: 0, lapsed: 0, expired: 0 },
      failed: [],
    });
    expect(await vpnRegistry(o).activation(a)).toMatchObject({ status: 'suspended', paidThrough: '2026-03' });

    // Suspended: the plain tariff, though March's free seconds are still in the bucket.
    expect(await call(o, a)).toMatchObject({ levels: ['pps:std:voice-mo'], amounts: { money: 30 } });
    expect(await buckets(o, a)).toEqual({ money: b(0, 0, 530), [L0]: b(480, 0, 120) });

    // Topped up and paid: active again, April's free seconds in place (600 less nothing held).
    await o.server.store.topup({ opId: 'topup-1', msisdn: a, amount: 1000, nowMs: o.clock.ms });
    const resumed = await vpnRegistry(o).payAndResume(a, o.clock.ms);
    expect(resumed).toMatchObject({ charged: 500, changed: true, activation: { status: 'active' } });
    expect(await buckets(o, a)).toEqual({ money: b(500, 0, 1030), [L0]: b(600, 0, 120) });
    expect(await call(o, a)).toMatchObject({ levels: ['vpn:vpn-a'], amounts: { [L0]: 120 } });
    expect(await buckets(o, a)).toEqual({ money: b(500, 0, 1030), [L0]: b(480, 0, 240) });
  });
});

describe('a VPN member without the prepaid service', () => {
  it('gets 4011 on either leg, and a CDR of what it asked', async () => {
    const o = await server();
    const { a } = await members(o, { aBalance: 1000, aWhen: 'immediate' });
    const p = next();
    await provisionAt(
      o,
      `
accounts:
  - { msisdn: '${p}', prepaid: false, tariff: std }
vpn:
  groups:
    - id: G
      name: group G
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${p}', shortNumber: '6009', identity: joins, display: long }
`,
    );
    const before = await buckets(o, p);

    // p calls a: its originating leg.
    const mo = voiceLeg(o, { served: p, calling: `tel:+${p}`, called: `tel:+${a}`, role: 'originating' });
    const i = await mo.initial([mscc(RG, { rsu: [seconds(120)] })]);
    expect(msccView(i)).toEqual({
      resultCode: 4011,
      msccResult: undefined,
      granted: undefined,
      final: false,
    });

    // a calls p: a's leg has the preference (p joins a's group); p's terminating leg is 4011.
    const aLeg = voiceLeg(o, { served: a, calling: `tel:+${a}`, called: 'tel:6009', role: 'originating' });
    expect(msccView(await aLeg.initial([mscc(RG, { rsu: [seconds(120)] })]))).toMatchObject({
      resultCode: 2001,
      granted: 120,
    });
    await aLeg.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
    const mt = voiceLeg(o, { served: p, calling: `tel:+${a}`, called: `tel:+${p}`, role: 'terminating' });
    const j = await mt.initial([mscc(RG, { rsu: [seconds(120)] })]);
    expect(j.get('Result-Code')).toBe(4011);

    expect(await buckets(o, p)).toEqual(before);
    const [mtCdr, moCdr] = await o.cdrs(p);
    expect(moCdr).toMatchObject({
      sessionId: mo.id,
      role: 'originating',
      callingParty: p,
      calledParty: a,
      used: { [RG]: 120 },
      amounts: {},
      resultCode: 4011,
      reason: 'postpaid',
    });
    expect(mtCdr).toMatchObject({
      sessionId: mt.id,
      role: 'terminating',
      callingParty: a,
      calledParty: p,
      used: { [RG]: 120 },
      amounts: {},
      resultCode: 4011,
      reason: 'postpaid',
    });
    expect((await o.cdrs(a))[0]).toMatchObject({
      sessionId: aLeg.id,
      calledParty: p,
      levels: ['vpn:vpn-a'],
      amounts: { [L0]: 120 },
    });
  });
});
