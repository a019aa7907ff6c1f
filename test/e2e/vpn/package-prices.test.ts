/**
 * A leg that the VPN package prices needs no price from the plain tariff (ZTE [0075]-[0076]:
 * the VPN charging levels apply instead of the PPS flow): an intra-group SMS at the package's
 * SMS price on a tariff without SMS, and an intra-group call on a package of free levels only
 * on a tariff without voice, which runs until the free credit ends. A leg without the
 * preference still needs the tariff's price (5031 RATING_FAILED without one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccaHead, mscc, seconds, shape, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, msccView, numbering, provisionAt, smsEvent, voiceLeg } from './support.js';

let ocs: OcsFixture;
const next = numbering(600);

beforeAll(async () => {
  ocs = await startOcs();
  await provisionAt(
    ocs,
    `
tariffs:
  - id: sms-only
    currency: CNY
    sms: { pricePerMessage: 10 }
vpn:
  packages:
    - id: vpn-sms
      monthlyFee: 0
      items: [intra-group-sms]
      smsPricePerMessage: 3
      levels:
        - { type: payment, unitSeconds: 60, pricePerUnit: 5 }
    - id: vpn-free
      monthlyFee: 0
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 120, unitSeconds: 60 }
`,
  );
});
afterAll(() => ocs.close());

/** a and z belong to one group; a has `pkg` active. */
async function pair(tariff: string, pkg: string) {
  const [a, z] = [next(), next()];
  await provisionAt(
    ocs,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: ${tariff}, balance: 100 }
  - { msisdn: '${z}', prepaid: true, tariff: ${tariff}, balance: 100 }
vpn:
  groups:
    - id: ${pkg}-${a}
      name: group of ${a}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
  activations:
    - { msisdn: '${a}', package: ${pkg}, when: immediate }
`,
  );
  return { a, z };
}

const sms = (from: string, to: string) => smsEvent(ocs, from, to);

describe('a leg priced by the package', () => {
  it('charges an intra-group SMS at the package price on a tariff without an SMS price', async () => {
    const { a, z } = await pair('voice-only', 'vpn-sms');
    const { s, answer } = sms(a, 'tel:6002');
    expect((await answer).get('Result-Code')).toBe(2001);
    expect(await buckets(ocs, a)).toEqual({ money: b(97, 0, 3) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({
      sessionId: s.id,
      service: 'sms',
      amounts: { money: 3 },
      levels: ['vpn:vpn-sms:sms'],
    });

    // The other way round z has no package: the tariff would price it, and has no SMS price.
    const back = sms(z, 'tel:6001');
    expect(shape(await back.answer)).toEqual([
      ...ccaHead(back.s.id, 5031, 'event', 0),
      ['Error-Message', 'tariff voice-only has no SMS price'],
    ]);
    expect(await buckets(ocs, z)).toEqual({ money: b(100, 0, 0) });
  });

  it('runs an intra-group call on free levels only, on a tariff without voice, until the free credit ends', async () => {
    const { a } = await pair('sms-only', 'vpn-free');
    expect(await buckets(ocs, a)).toEqual({ money: b(100, 0, 0), 'vpn:vpn-free:L0': b(120, 0, 0) });
    const s = voiceLeg(ocs, { served: a, calling: `tel:+${a}`, called: 'tel:6002', role: 'originating' });
    const i = await s.initial([mscc(RG, { rsu: [seconds(300)] })]);
    expect(msccView(i)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 120, final: true });
    const u = await s.update([mscc(RG, { rsu: [seconds(60)], usu: [[seconds(120)]] })]);
    expect(msccView(u)).toMatchObject({ resultCode: 4012, msccResult: 4012 });
    await s.terminate([mscc(RG, { usu: [[seconds(0)]] })]);
    expect(await buckets(ocs, a)).toEqual({ money: b(100, 0, 0), 'vpn:vpn-free:L0': b(0, 0, 120) });

    // A call outside the group is the tariff's, which has no voice price.
    const out = voiceLeg(ocs, {
      served: a,
      calling: `tel:+${a}`,
      called: 'tel:+8613700000000',
      role: 'originating',
    });
    expect((await out.initial([mscc(RG, { rsu: [seconds(60)] })])).get('Result-Code')).toBe(5031);
  });
});
