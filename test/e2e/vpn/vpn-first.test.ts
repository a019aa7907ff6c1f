/**
 * The VPN logic runs before the prepaid logic (Huawei WO2005041476 claims 1-3, DESIGN §2): a
 * short number that no group of the caller has fails VPN authentication (4010) even when the
 * prepaid check would refuse the caller for its own reason, and a postpaid member's event goes
 * through the VPN logic too, so its CDR names the member it reached and the price it is billed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccaHead, mscc, seconds, shape, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, numbering, provisionAt, smsEvent, voiceLeg } from './support.js';

let ocs: OcsFixture;
const next = numbering(700);
let groups = 0;

beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

/**
 * Group G<n> (4-digit short numbers): a (6001, belongs, prepaid, below its minimum threshold),
 * z (6002, belongs, prepaid) and p (6009, joins, postpaid).
 */
async function world() {
  const [a, z, p] = [next(), next(), next()];
  const g = `G${++groups}`;
  await provisionAt(
    ocs,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: std, balance: 100, minThreshold: 500 }
  - { msisdn: '${z}', prepaid: true, tariff: std, balance: 1000 }
  - { msisdn: '${p}', prepaid: false, tariff: std }
vpn:
  groups:
    - id: ${g}
      name: group ${g}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
        - { msisdn: '${p}', shortNumber: '6009', identity: joins, display: long }
`,
  );
  return { a, z, p };
}

const sms = (from: string, to: string) => smsEvent(ocs, from, to);

describe('the VPN logic before the prepaid check', () => {
  it('refuses a short number of no group of the caller 4010 although the caller is below its threshold', async () => {
    const { a } = await world();
    const call = voiceLeg(ocs, { served: a, calling: `tel:+${a}`, called: 'tel:6099', role: 'originating' });
    const i = await call.initial([mscc(RG, { rsu: [seconds(60)] })]);
    expect(shape(i)).toEqual([
      ...ccaHead(call.id, 4010, 'initial', 0),
      ['Error-Message', `short number 6099 is in no VPN group of ${a}`],
    ]);

    // A short number the caller's group has passes the VPN logic; then the prepaid check refuses.
    const ok = voiceLeg(ocs, { served: a, calling: `tel:+${a}`, called: 'tel:6002', role: 'originating' });
    const j = await ok.initial([mscc(RG, { rsu: [seconds(60)] })]);
    expect(j.get('Result-Code')).toBe(4012);
    expect(await ocs.cdrs(a)).toEqual([]);
  });

  it("records a postpaid member's SMS event with the member it reached and the price it is billed", async () => {
    const { z, p } = await world();
    const { s, answer } = sms(p, 'tel:6002');
    expect((await answer).get('Result-Code')).toBe(4011);
    const [cdr] = await ocs.cdrs(p);
    expect(cdr).toMatchObject({
      sessionId: s.id,
      service: 'sms',
      calledParty: z,
      used: { '0': 1 },
      amounts: { money: 10 },
      levels: ['pps:std:sms'],
      reason: 'postpaid',
      resultCode: 4011,
    });
  });

  it("refuses a postpaid member's SMS event to a short number of none of its groups, and records nothing", async () => {
    const { p } = await world();
    const { s, answer } = sms(p, 'tel:6098');
    expect(shape(await answer)).toEqual([
      ...ccaHead(s.id, 4010, 'event', 0),
      ['Error-Message', `short number 6098 is in no VPN group of ${p}`],
    ]);
    expect(await ocs.cdrs(p)).toEqual([]);
  });
});
