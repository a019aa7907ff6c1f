/**
 * The preference matrix of DESIGN §3 (ZTE US20120057507 [0055]-[0060], FIG. 4) over Diameter:
 * each leg of a call (originating: Subscription-Id the caller; terminating: Subscription-Id the
 * called party, Role-Of-Node TERMINATING) is rated by its own party's VPN package when that
 * party belongs to a group the other party is in and its VPN function is active; otherwise by
 * the plain prepaid tariff. Every bucket of both parties is checked before and after.
 *
 * Tariff pps-mt: 0.15 per started minute originating, 0.10 terminating (so that the preference
 * of a terminating leg shows). Package vpn-m: fee 5.00; 600 free seconds, then 1.00 of free
 * credit at 0.05 per minute, then 0.05 per minute of money.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOcs, seconds, mscc, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, msccView, numbering, provisionAt, voiceLeg } from './support.js';

const L0 = 'vpn:vpn-m:L0';
const L1 = 'vpn:vpn-m:L1';

const CATALOG = `
tariffs:
  - id: pps-mt
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 10 }
vpn:
  packages:
    - id: vpn-m
      monthlyFee: 500
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 600, unitSeconds: 60 }
        - { type: free, creditAmount: 100, unitSeconds: 60, pricePerUnit: 5 }
        - { type: payment, unitSeconds: 60, pricePerUnit: 5 }
`;

let ocs: OcsFixture;
const next = numbering();
let groups = 0;

beforeAll(async () => {
  ocs = await startOcs();
  await provisionAt(ocs, CATALOG);
});
afterAll(() => ocs.close());

type Identity = 'belongs' | 'joins';

/**
 * Two prepaid accounts of 100.00 on pps-mt in groups of their own making: `same` puts both in
 * one group, otherwise each in its own. A belonging party activates vpn-m at once (fee 5.00).
 */
async function world(caller: Identity, called: Identity, same = true) {
  const a = next();
  const z = next();
  const g1 = `G${++groups}`;
  const g2 = same ? g1 : `G${++groups}`;
  const activations = [...(caller === 'belongs' ? [a] : []), ...(called === 'belongs' ? [z] : [])].map(
    (m) => `    - { msisdn: '${m}', package: vpn-m, when: immediate }`,
  );
  const group = (id: string, members: string[]) => `
    - id: ${id}
      name: group ${id}
      extensionLength: 4
      maxMembers: 10
      members:
${members.map((m) => `        - ${m}`).join('\n')}`;
  const memberA = `{ msisdn: '${a}', shortNumber: '6001', identity: ${caller}, display: short }`;
  const memberZ = `{ msisdn: '${z}', shortNumber: '6002', identity: ${called}, display: long }`;
  await provisionAt(
    ocs,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: pps-mt, balance: 10000 }
  - { msisdn: '${z}', prepaid: true, tariff: pps-mt, balance: 10000 }
vpn:
  groups:${same ? group(g1, [memberA, memberZ]) : group(g1, [memberA]) + group(g2, [memberZ])}
  activations:
${activations.join('\n') || '    []'}
`,
  );
  return { a, z };
}

/** A 90-second leg: CCR-I asks 120 s (granted 120), CCR-T reports 90 s. */
async function talk(leg: ReturnType<typeof voiceLeg>) {
  const i = await leg.initial([mscc(RG, { rsu: [seconds(120)] })]);
  expect(msccView(i)).toEqual({ resultCode: 2001, msccResult: 2001, granted: 120, final: false });
  const t = await leg.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
  expect(t.get('Result-Code')).toBe(2001);
}

/** Both legs of one call from `a` to `z`, the originating leg first. */
async function call(a: string, z: string) {
  const calling = `tel:+${a}`;
  const called = `tel:+${z}`;
  await talk(voiceLeg(ocs, { served: a, calling, called, role: 'originating' }));
  await talk(voiceLeg(ocs, { served: z, calling, called, role: 'terminating' }));
}

const PAID_FEE = b(9500, 0, 500);
const FRESH = { money: PAID_FEE, [L0]: b(600, 0, 0), [L1]: b(100, 0, 0) };
const PLAIN = { money: b(10000, 0, 0) };

describe('the preference matrix, both legs over Diameter', () => {
  it('caller belongs, called belongs: both legs on free minutes, money untouched', async () => {
    const { a, z } = await world('belongs', 'belongs');
    expect(await buckets(ocs, a)).toEqual(FRESH);
    expect(await buckets(ocs, z)).toEqual(FRESH);

    await call(a, z);

    // Two started minutes of each party's own free seconds; not one fen of money.
    const after = { money: PAID_FEE, [L0]: b(480, 0, 120), [L1]: b(100, 0, 0) };
    expect(await buckets(ocs, a)).toEqual(after);
    expect(await buckets(ocs, z)).toEqual(after);
    const [mo] = await ocs.cdrs(a);
    expect(mo).toMatchObject({
      role: 'originating',
      callingParty: a,
      calledParty: z,
      used: { [RG]: 90 },
      amounts: { [L0]: 120 },
      levels: ['vpn:vpn-m'],
    });
    const [mt] = await ocs.cdrs(z);
    expect(mt).toMatchObject({
      role: 'terminating',
      callingParty: a,
      calledParty: z,
      used: { [RG]: 90 },
      amounts: { [L0]: 120 },
      levels: ['vpn:vpn-m'],
    });
  });

  it('caller belongs, called joins (family): only the caller leg enjoys the preference', async () => {
    const { a, z } = await world('belongs', 'joins');
    expect(await buckets(ocs, a)).toEqual(FRESH);
    expect(await buckets(ocs, z)).toEqual(PLAIN);

    await call(a, z);

    expect(await buckets(ocs, a)).toEqual({ money: PAID_FEE, [L0]: b(480, 0, 120), [L1]: b(100, 0, 0) });
    // The joining member's terminating leg pays the plain terminating price: 2 x 0.10.
    expect(await buckets(ocs, z)).toEqual({ money: b(9980, 0, 20) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({ levels: ['vpn:vpn-m'], amounts: { [L0]: 120 } });
    expect((await ocs.cdrs(z))[0]).toMatchObject({
      role: 'terminating',
      levels: ['pps:pps-mt:voice-mt'],
      amounts: { money: 20 },
    });
  });

  it('caller joins, called belongs: only the called leg enjoys the preference', async () => {
    const { a, z } = await world('joins', 'belongs');
    expect(await buckets(ocs, a)).toEqual(PLAIN);
    expect(await buckets(ocs, z)).toEqual(FRESH);

    await call(a, z);

    // The joining caller pays the plain originating price: 2 x 0.15.
    expect(await buckets(ocs, a)).toEqual({ money: b(9970, 0, 30) });
    expect(await buckets(ocs, z)).toEqual({ money: PAID_FEE, [L0]: b(480, 0, 120), [L1]: b(100, 0, 0) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({
      role: 'originating',
      levels: ['pps:pps-mt:voice-mo'],
      amounts: { money: 30 },
    });
    expect((await ocs.cdrs(z))[0]).toMatchObject({
      role: 'terminating',
      levels: ['vpn:vpn-m'],
      amounts: { [L0]: 120 },
    });
  });

  it('both belong, but to different groups: both legs at the plain tariff, free minutes untouched', async () => {
    const { a, z } = await world('belongs', 'belongs', false);
    expect(await buckets(ocs, a)).toEqual(FRESH);
    expect(await buckets(ocs, z)).toEqual(FRESH);

    await call(a, z);

    expect(await buckets(ocs, a)).toEqual({ ...FRESH, money: b(9470, 0, 530) });
    expect(await buckets(ocs, z)).toEqual({ ...FRESH, money: b(9480, 0, 520) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({ levels: ['pps:pps-mt:voice-mo'], amounts: { money: 30 } });
    expect((await ocs.cdrs(z))[0]).toMatchObject({ levels: ['pps:pps-mt:voice-mt'], amounts: { money: 20 } });
  });

  it('neither belongs (both join the same group): both legs at the plain tariff', async () => {
    const { a, z } = await world('joins', 'joins');
    await call(a, z);
    expect(await buckets(ocs, a)).toEqual({ money: b(9970, 0, 30) });
    expect(await buckets(ocs, z)).toEqual({ money: b(9980, 0, 20) });
  });

  it('a terminating leg of a belonging member whose function is not active is at the plain tariff', async () => {
    const { a, z } = await world('belongs', 'belongs');
    // z's function is pending for next month: a member, but not a VPN valid user.
    const w = next();
    await provisionAt(
      ocs,
      `
accounts:
  - { msisdn: '${w}', prepaid: true, tariff: pps-mt, balance: 10000 }
vpn:
  groups:
    - id: G${groups}
      name: group G${groups}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${w}', shortNumber: '6003', identity: belongs, display: short }
  activations:
    - { msisdn: '${w}', package: vpn-m, when: next-month }
`,
    );
    await call(a, w);
    expect(await buckets(ocs, a)).toEqual({ money: PAID_FEE, [L0]: b(480, 0, 120), [L1]: b(100, 0, 0) });
    expect(await buckets(ocs, w)).toEqual({ money: b(9980, 0, 20) });
    expect(await buckets(ocs, z)).toEqual(FRESH);
  });
});
