/**
 * Short numbers over Diameter (DESIGN §2: the VPN logic runs before the prepaid logic): a short
 * number dialled by a member is looked up in the caller's groups and the call is rated and
 * recorded with the member's long number; a short number that no group of the caller has fails
 * VPN authentication (4010 END_USER_SERVICE_DENIED) and moves no money.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccaHead, mscc, seconds, shape, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, msccView, numbering, provisionAt, voiceLeg } from './support.js';

const L0 = 'vpn:vpn-s:L0';

let ocs: OcsFixture;
const next = numbering(500);
let groups = 0;

beforeAll(async () => {
  ocs = await startOcs();
  await provisionAt(
    ocs,
    `
vpn:
  packages:
    - id: vpn-s
      monthlyFee: 100
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 600, unitSeconds: 60 }
        - { type: payment, unitSeconds: 60, pricePerUnit: 5 }
`,
  );
});
afterAll(() => ocs.close());

/**
 * Group S<n> (4-digit short numbers): a (6001, belongs, vpn-s active) and z (6002, belongs);
 * group T<n>: x (6003, belongs) with a joining as 7001. So a can dial 6001, 6002 and 7001's
 * group's numbers; 6003 is a short number of group T only.
 */
async function world() {
  const [a, z, x] = [next(), next(), next()];
  const s = `S${++groups}`;
  const t = `T${groups}`;
  await provisionAt(
    ocs,
    `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: std, balance: 1000 }
  - { msisdn: '${z}', prepaid: true, tariff: std, balance: 1000 }
  - { msisdn: '${x}', prepaid: true, tariff: std, balance: 1000 }
vpn:
  groups:
    - id: ${s}
      name: group ${s}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
    - id: ${t}
      name: group ${t}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${x}', shortNumber: '6003', identity: belongs, display: short }
        - { msisdn: '${a}', shortNumber: '7001', identity: joins, display: long }
  activations:
    - { msisdn: '${a}', package: vpn-s, when: immediate }
`,
  );
  return { a, z, x };
}

async function dial(a: string, called: string, used = 90) {
  const s = voiceLeg(ocs, { served: a, calling: `tel:+${a}`, called, role: 'originating' });
  const i = await s.initial([mscc(RG, { rsu: [seconds(120)] })]);
  if (i.get('Result-Code') === 2001) await s.terminate([mscc(RG, { usu: [[seconds(used)]] })]);
  return { s, i };
}

describe('short numbers', () => {
  it('resolves a dialled short number to the member, rates it as intra-group and records the long number', async () => {
    const { a, z } = await world();
    expect(await buckets(ocs, a)).toEqual({ money: b(900, 0, 100), [L0]: b(600, 0, 0) });

    await dial(a, 'tel:6002');
    await dial(a, 'sip:6002@ims.example.net;user=dialstring');

    expect(await buckets(ocs, a)).toEqual({ money: b(900, 0, 100), [L0]: b(360, 0, 240) });
    const cdrs = await ocs.cdrs(a);
    expect(cdrs).toHaveLength(2);
    for (const cdr of cdrs) {
      expect(cdr).toMatchObject({
        callingParty: a,
        calledParty: z,
        role: 'originating',
        used: { [RG]: 90 },
        amounts: { [L0]: 120 },
        levels: ['vpn:vpn-s'],
        reason: 'termination',
      });
    }
  });

  it('answers 4010 for a short number that no group of the caller has, and moves no money', async () => {
    const { a, x } = await world();
    const before = await buckets(ocs, a);

    // 6099 has the length of a's short numbers and is in none of a's groups (S, T).
    const { s, i } = await dial(a, 'tel:6099');
    expect(shape(i)).toEqual([
      ...ccaHead(s.id, 4010, 'initial', 0),
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', RG],
          ['Result-Code', 4010],
        ],
      ],
    ]);
    expect(await buckets(ocs, a)).toEqual(before);
    expect(await ocs.server.store.listReservations(a)).toEqual([]);
    expect(await ocs.cdrs(a)).toEqual([]);
    // The refused session is closed.
    const t = await s.terminate([mscc(RG, { usu: [[seconds(0)]] })]);
    expect(t.get('Result-Code')).toBe(5002);
    expect(await buckets(ocs, x)).toEqual({ money: b(1000, 0, 0) });
  });

  it('answers 4010 for a short number of another group, which the caller is not in', async () => {
    const { a } = await world();
    // z2 holds 6005 in a group of its own; a is not in that group.
    const z2 = next();
    await provisionAt(
      ocs,
      `
accounts:
  - { msisdn: '${z2}', prepaid: true, tariff: std, balance: 1000 }
vpn:
  groups:
    - id: U${groups}
      name: group U${groups}
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${z2}', shortNumber: '6005', identity: belongs, display: short }
`,
    );
    const before = await buckets(ocs, a);
    const { i } = await dial(a, 'tel:6005');
    expect(msccView(i)).toEqual({ resultCode: 4010, msccResult: 4010, granted: undefined, final: false });
    expect(await buckets(ocs, a)).toEqual(before);
    expect(await ocs.cdrs(a)).toEqual([]);
  });

  it('resolves a short number of a group the caller only joins, without the preference', async () => {
    const { a, x } = await world();
    // 6003 is x's number in group T, where a only joins: the call is found, and rated plainly
    // (a's preference is for the group it belongs to).
    await dial(a, 'tel:6003');
    expect(await buckets(ocs, a)).toEqual({ money: b(870, 0, 130), [L0]: b(600, 0, 0) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({
      calledParty: x,
      amounts: { money: 30 },
      levels: ['pps:std:voice-mo'],
    });
  });

  it('rates a long number of a group member like its short number', async () => {
    const { a, z } = await world();
    await dial(a, `tel:+${z}`);
    expect(await buckets(ocs, a)).toEqual({ money: b(900, 0, 100), [L0]: b(480, 0, 120) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({ calledParty: z, levels: ['vpn:vpn-s'] });
  });

  it('resolves the short number a terminating leg is called from (display short) in the called party groups', async () => {
    const { a, z } = await world();
    // z calls a and is presented by its short number; a's leg is intra-group, on a's package.
    const mt = voiceLeg(ocs, { served: a, calling: 'tel:6002', called: `tel:+${a}`, role: 'terminating' });
    expect(msccView(await mt.initial([mscc(RG, { rsu: [seconds(120)] })]))).toMatchObject({
      resultCode: 2001,
      granted: 120,
    });
    await mt.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
    expect(await buckets(ocs, a)).toEqual({ money: b(900, 0, 100), [L0]: b(480, 0, 120) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({
      role: 'terminating',
      callingParty: z,
      calledParty: a,
      levels: ['vpn:vpn-s'],
    });
  });

  it('never refuses a terminating leg for the number it is called from', async () => {
    const { a } = await world();
    // 6099 has a short number's length and is in none of a's groups: a plain terminating leg.
    const mt = voiceLeg(ocs, { served: a, calling: 'tel:6099', called: `tel:+${a}`, role: 'terminating' });
    expect(msccView(await mt.initial([mscc(RG, { rsu: [seconds(120)] })]))).toMatchObject({
      resultCode: 2001,
      granted: 120,
    });
    await mt.terminate([mscc(RG, { usu: [[seconds(90)]] })]);
    expect(await buckets(ocs, a)).toEqual({ money: b(900, 0, 100), [L0]: b(600, 0, 0) });
    expect((await ocs.cdrs(a))[0]).toMatchObject({
      callingParty: '6099',
      levels: ['pps:std:voice-mt'],
      amounts: {},
    });
  });
});
