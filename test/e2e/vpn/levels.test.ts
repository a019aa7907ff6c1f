/**
 * Package charging levels over Diameter (DESIGN §3, ZTE [0076]-[0078]): free seconds first,
 * then free money credit, then the payment level on the account's money, each grant frozen
 * across the levels in one balance-store script, to the exact unit. Every bucket after every
 * CCR, and available + reserved + spent of each bucket never changes during a call.
 *
 * Package vpn-lvl: fee 0.20; L0 120 free seconds (2 minutes), L1 0.10 of free credit at 0.05
 * per minute (2 minutes), then 0.07 per minute of money. Tariff std (0.15 per minute) is what a
 * call without the preference would cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketView } from '../../../src/balance/index.js';
import { mscc, seconds, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, msccView, numbering, provisionAt, voiceLeg } from './support.js';

const L0 = 'vpn:vpn-lvl:L0';
const L1 = 'vpn:vpn-lvl:L1';

let ocs: OcsFixture;
const next = numbering();
let groups = 0;

beforeAll(async () => {
  ocs = await startOcs();
  await provisionAt(
    ocs,
    `
vpn:
  packages:
    - id: vpn-lvl
      monthlyFee: 20
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 120, unitSeconds: 60 }
        - { type: free, creditAmount: 10, unitSeconds: 60, pricePerUnit: 5 }
        - { type: payment, unitSeconds: 60, pricePerUnit: 7 }
`,
  );
});
afterAll(() => ocs.close());

/** A belonging caller with vpn-lvl active (money `balance` before the fee) and a belonging callee. */
async function pair(balance: number) {
  const a = next();
  const z = next();
  const g = `L${++groups}`;
  await provisionAt(
    ocs,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: std, balance: ${balance} }
  - { msisdn: '${z}', prepaid: true, tariff: std, balance: 1000 }
vpn:
  groups:
    - id: ${g}
      name: group ${g}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
  activations:
    - { msisdn: '${a}', package: vpn-lvl, when: immediate }
`,
  );
  const leg = () =>
    voiceLeg(ocs, { served: a, calling: `tel:+${a}`, called: 'tel:6002', role: 'originating' });
  return { a, z, leg };
}

describe('level boundaries of one call, to the exact unit', () => {
  it('runs from free seconds into free money into the payment level, every bucket after every CCR', async () => {
    const { a, z, leg } = await pair(100);
    const totals = { money: 100, [L0]: 120, [L1]: 10 };
    const after = async (expected: Record<string, BucketView>) => {
      const all = await buckets(ocs, a);
      expect(all).toEqual(expected);
      for (const [name, total] of Object.entries(totals)) {
        const x = all[name]!;
        expect(x.available + x.reserved + x.spent, name).toBe(total);
      }
    };
    // The fee (0.20) is paid, the month's free credits are in place.
    await after({ money: b(80, 0, 20), [L0]: b(120, 0, 0), [L1]: b(10, 0, 0) });
    const s = leg();

    // CCR-I, 120 s asked: exactly the free seconds (2 units of 60 s); more can follow (no FUI).
    const i = await s.initial([mscc(RG, { rsu: [seconds(120)] })]);
    expect(msccView(i)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 120, final: false });
    await after({ money: b(80, 0, 20), [L0]: b(0, 120, 0), [L1]: b(10, 0, 0) });

    // CCR-U 120 s used: exactly at the end of the free seconds. The new grant is exactly the
    // free money credit (2 units of 0.05).
    const u1 = await s.update([mscc(RG, { rsu: [seconds(120)], usu: [[seconds(120)]] })]);
    expect(msccView(u1)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 120, final: false });
    await after({ money: b(80, 0, 20), [L0]: b(0, 0, 120), [L1]: b(0, 10, 0) });

    // CCR-U 60 s used: one unit past the free seconds; the unused free-money unit goes back, and
    // the new grant crosses into the payment level in one freeze: 1 unit of L1 + 1 of money.
    const u2 = await s.update([mscc(RG, { rsu: [seconds(120)], usu: [[seconds(60)]] })]);
    expect(msccView(u2)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 120, final: false });
    await after({ money: b(73, 7, 20), [L0]: b(0, 0, 120), [L1]: b(0, 5, 5) });
    expect(await ocs.server.store.listReservations(a)).toEqual([
      expect.objectContaining({
        sessionId: s.id,
        ratingGroup: RG,
        units: 120,
        tiers: [
          { bucket: L0, unitSize: 60, pricePerUnit: 60, units: 0, amount: 0 },
          { bucket: L1, unitSize: 60, pricePerUnit: 5, units: 1, amount: 5 },
          { bucket: 'money', unitSize: 60, pricePerUnit: 7, units: 1, amount: 7 },
        ],
      }),
    ]);

    // CCR-U 120 s used: the free money is gone, and one payment unit is charged: one unit past
    // the free-money boundary. The next grant is all payment level.
    const u3 = await s.update([mscc(RG, { rsu: [seconds(120)], usu: [[seconds(120)]] })]);
    expect(msccView(u3)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 120, final: false });
    await after({ money: b(59, 14, 27), [L0]: b(0, 0, 120), [L1]: b(0, 0, 10) });

    // CCR-T 1 s used: a started unit is charged in full (0.07), the other unit goes back.
    const t = await s.terminate([mscc(RG, { usu: [[seconds(1)]] })]);
    expect(t.get('Result-Code')).toBe(2001);
    await after({ money: b(66, 0, 34), [L0]: b(0, 0, 120), [L1]: b(0, 0, 10) });
    expect(await ocs.server.store.listReservations(a)).toEqual([]);

    const [cdr] = await ocs.cdrs(a);
    expect(cdr).toMatchObject({
      sessionId: s.id,
      calledParty: z,
      used: { [RG]: 301 },
      amounts: { [L0]: 120, [L1]: 10, money: 14 },
      levels: ['vpn:vpn-lvl'],
      resultCode: 2001,
      reason: 'termination',
    });
  });

  it('uses the free credit on an intra-group call, then charges the payment rate once it is gone', async () => {
    const { a, leg } = await pair(100);
    const call = async () => {
      const s = leg();
      const i = await s.initial([mscc(RG, { rsu: [seconds(120)] })]);
      expect(msccView(i)).toMatchObject({ resultCode: 2001, granted: 120 });
      await s.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
    };

    // 90 s on free seconds: two started minutes of L0, money untouched.
    await call();
    expect(await buckets(ocs, a)).toEqual({ money: b(80, 0, 20), [L0]: b(0, 0, 120), [L1]: b(10, 0, 0) });
    // The same call on the free money credit: still no money.
    await call();
    expect(await buckets(ocs, a)).toEqual({ money: b(80, 0, 20), [L0]: b(0, 0, 120), [L1]: b(0, 0, 10) });
    // The free credit is gone: the payment level, 2 x 0.07 (not the plain 2 x 0.15).
    await call();
    expect(await buckets(ocs, a)).toEqual({ money: b(66, 0, 34), [L0]: b(0, 0, 120), [L1]: b(0, 0, 10) });
    const cdrs = await ocs.cdrs(a);
    expect(cdrs.map((c) => c.amounts)).toEqual([{ money: 14 }, { [L1]: 10 }, { [L0]: 120 }]);
  });

  it('ends a call when the money runs out: Final-Unit-Indication, then 4012', async () => {
    // 0.30 less the 0.20 fee: 0.10 buys one payment minute (0.07), not two.
    const { a, leg } = await pair(30);
    expect(await buckets(ocs, a)).toEqual({ money: b(10, 0, 20), [L0]: b(120, 0, 0), [L1]: b(10, 0, 0) });
    const s = leg();

    // 300 s asked: 2 free-second units, 2 free-money units, 1 payment unit; nothing more is
    // affordable, so the grant is final.
    const i = await s.initial([mscc(RG, { rsu: [seconds(300)] })]);
    expect(msccView(i)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 300, final: true });
    expect(await buckets(ocs, a)).toEqual({ money: b(3, 7, 20), [L0]: b(0, 120, 0), [L1]: b(0, 10, 0) });

    const u = await s.update([mscc(RG, { rsu: [seconds(60)], usu: [[seconds(300)]] })]);
    expect(msccView(u)).toEqual({ resultCode: 4012, msccResult: 4012, granted: undefined, final: false });
    expect(await buckets(ocs, a)).toEqual({ money: b(3, 0, 27), [L0]: b(0, 0, 120), [L1]: b(0, 0, 10) });

    const t = await s.terminate([mscc(RG, { usu: [[seconds(0)]] })]);
    expect(t.get('Result-Code')).toBe(2001);
    expect(await buckets(ocs, a)).toEqual({ money: b(3, 0, 27), [L0]: b(0, 0, 120), [L1]: b(0, 0, 10) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({
      used: { [RG]: 300 },
      amounts: { [L0]: 120, [L1]: 10, money: 7 },
      levels: ['vpn:vpn-lvl'],
    });
  });
});
