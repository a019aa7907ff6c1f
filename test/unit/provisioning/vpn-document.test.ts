/**
 * The vpn section of the provisioning document (DESIGN §6): each rule of ZTE FIG. 2 and 3 that
 * can be checked before anything is written, reported with the path of its field, against the
 * document and against what is already provisioned.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProvisioningError, parseDocument } from '../../../src/provisioning/document.js';
import { emptyVpnContext, type VpnContext } from '../../../src/provisioning/vpn.js';
import type { Activation, Group, Member, Package } from '../../../src/vpn/model.js';

const NOW = Date.UTC(2026, 10, 15);

function problems(text: string, context: Partial<VpnContext> = {}): string[] {
  try {
    parseDocument(text, new Set(), { ...emptyVpnContext(NOW), ...context });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ProvisioningError);
    return (err as ProvisioningError).problems;
  }
}

const HEAD = `
tariffs: [{ id: std, currency: CNY }]
accounts:
  - { msisdn: '8613800000001', tariff: std, balance: 10000 }
  - { msisdn: '8613800000002', tariff: std, balance: 500, minThreshold: 100 }
  - { msisdn: '8613900000009', tariff: std, prepaid: false }
`;
const PACKAGE = `{ id: vpn-300, monthlyFee: 500, items: [intra-group-voice], levels: [{ type: payment, unitSeconds: 60, pricePerUnit: 5 }] }`;

/** A document with the accounts above and this vpn section (flow YAML for groups, packages, activations). */
function doc(groups: string[], activations: string[] = [], packages: string[] = [PACKAGE]): string {
  return `${HEAD}vpn:\n  groups: [${groups.join(', ')}]\n  packages: [${packages.join(', ')}]\n  activations: [${activations.join(', ')}]\n`;
}
const group = (id: string, members: string[], more = '') =>
  `{ id: ${id}, name: ${id}, extensionLength: 4, maxMembers: 10${more}, members: [${members.join(', ')}] }`;
const member = (msisdn: string, shortNumber: string, identity = 'belongs') =>
  `{ msisdn: '${msisdn}', shortNumber: '${shortNumber}', identity: ${identity} }`;
const activation = (msisdn: string, pkg = 'vpn-300', when = 'immediate') =>
  `{ msisdn: '${msisdn}', package: ${pkg}, when: ${when} }`;

const G: Group = { id: 'ZTE-SZ', name: 'ZTE', extensionLength: 4, maxMembers: 3 };
const stored = (...members: Member[]): VpnContext['groups'] => new Map([[G.id, { group: G, members }]]);

describe('a valid vpn section', () => {
  it('the demo document: one group, one package, two immediate activations', () => {
    const parsed = parseDocument(
      readFileSync(new URL('../../../demo/provisioning.yaml', import.meta.url), 'utf8'),
    );
    expect(
      parsed.vpn?.groups.map((g) => [g.id, g.members.map((m) => [m.msisdn, m.shortNumber, m.identity])]),
    ).toEqual([
      [
        'ZTE-SZ',
        [
          ['8613800000001', '6001', 'belongs'],
          ['8613800000002', '6002', 'belongs'],
          ['8613900000009', '6009', 'joins'],
        ],
      ],
    ]);
    expect(parsed.vpn?.packages.map((p) => [p.id, p.monthlyFee, p.levels.length])).toEqual([
      ['vpn-300', 500, 3],
    ]);
    expect(parsed.vpn?.activations).toEqual([
      { msisdn: '8613800000001', package: 'vpn-300', when: 'immediate' },
      { msisdn: '8613800000002', package: 'vpn-300', when: 'immediate' },
    ]);
  });

  it('lets any number join, even without an account, and a number belong once and join elsewhere', () => {
    const text = doc(
      [
        group('A', [member('8613800000001', '6001'), member('8613700000000', '6002', 'joins')]),
        group('B', [member('8613800000001', '7001', 'joins'), member('8613900000009', '7009', 'joins')]),
      ],
      [activation('8613800000001')],
    );
    expect(problems(text)).toEqual([]);
  });
});

describe('bad fields, each with its path', () => {
  it('a short number of the wrong length', () => {
    expect(
      problems(
        doc([group('A', [member('8613800000001', '6001'), member('8613700000000', '60011', 'joins')])]),
      ),
    ).toEqual(["vpn.groups[0].members[1].shortNumber: length 5, the group's extension length is 4"]);
  });

  it('a short number used twice in a group (another group may use it)', () => {
    const text = doc([
      group('A', [member('8613800000001', '6001'), member('8613700000000', '6001', 'joins')]),
      group('B', [member('8613700000000', '6001', 'joins')]),
    ]);
    expect(problems(text)).toEqual([
      'vpn.groups[0].members[1].shortNumber: 6001 is taken by 8613800000001 (vpn.groups[0].members[0])',
    ]);
  });

  it('a number twice in a group, a group id twice, a package id twice', () => {
    const text = doc(
      [
        group('A', [member('8613700000000', '6001', 'joins'), member('8613700000000', '6002', 'joins')]),
        group('A', []),
      ],
      [],
      [PACKAGE, PACKAGE],
    );
    expect(problems(text)).toEqual([
      'vpn.groups[0].members[1].msisdn: 8613700000000 appears twice in group A',
      'vpn.groups[1].id: A appears twice',
      'vpn.packages[1].id: vpn-300 appears twice',
    ]);
  });

  it('a number that belongs to two groups', () => {
    const text = doc([
      group('A', [member('8613800000001', '6001')]),
      group('B', [member('8613800000001', '7001')]),
    ]);
    expect(problems(text)).toEqual([
      'vpn.groups[1].members[0].identity: 8613800000001 already belongs to group A (vpn.groups[0].members[0]); a number belongs to one group only',
    ]);
  });

  it('a postpaid account, or a number without an account, that belongs', () => {
    const text = doc([group('A', [member('8613900000009', '6009'), member('8613700000000', '6000')])]);
    expect(problems(text)).toEqual([
      'vpn.groups[0].members[0].identity: 8613900000009 is postpaid; only a prepaid account may belong (it may join)',
      'vpn.groups[0].members[1].msisdn: 8613700000000 has no account in the document or already provisioned; only a prepaid account may belong (any number may join)',
    ]);
  });

  it('more members than maxMembers', () => {
    const text = doc([
      group('A', [
        member('8613700000001', '6001', 'joins'),
        member('8613700000002', '6002', 'joins'),
        member('8613700000003', '6003', 'joins'),
      ]).replace('maxMembers: 10', 'maxMembers: 2'),
    ]);
    expect(problems(text)).toEqual(['vpn.groups[0].members: 3 members, maxMembers is 2']);
  });

  it('activations: unknown package, a member that only joins or is in no group, twice, fee beyond the money', () => {
    const text = doc(
      [
        group('A', [
          member('8613800000001', '6001'),
          member('8613800000002', '6002'),
          member('8613700000000', '6003', 'joins'),
        ]),
      ],
      [
        activation('8613800000001', 'vpn-999'),
        activation('8613700000000'),
        activation('8613600000000', 'vpn-300', 'next-month'),
        activation('8613800000002'),
        activation('8613800000001'),
      ],
    );
    expect(problems(text)).toEqual([
      'vpn.activations[0].package: no package vpn-999 in the document or already provisioned',
      'vpn.activations[1].msisdn: 8613700000000 belongs to no group in the document or already provisioned; only a belonging member may activate a package',
      'vpn.activations[2].msisdn: 8613600000000 belongs to no group in the document or already provisioned; only a belonging member may activate a package',
      // 500 of money, 100 of which must stay (minThreshold).
      'vpn.activations[3]: the monthly fee 500 of vpn-300 is more than the 400 8613800000002 can spend',
      'vpn.activations[4].msisdn: 8613800000001 appears twice',
    ]);
    // Next month charges nothing now: the money is not checked.
    expect(
      problems(
        doc(
          [group('A', [member('8613800000002', '6002')])],
          [activation('8613800000002', 'vpn-300', 'next-month')],
        ),
      ),
    ).toEqual([]);
  });

  it('the shape of each field, with its path', () => {
    const text = `
vpn:
  groups:
    - { id: 'a b', name: A, extensionLength: 9, maxMembers: 0, members: [{ msisdn: '12', shortNumber: 'x1', identity: owns }] }
    - { id: B, name: B, extensionLength: 4, maxMembers: 1, memebers: [] }
  packages: [{ id: p, monthlyFee: -5, items: [], levels: [] }]
  activations: [{ msisdn: '8613800000001', package: p, when: later }]
`;
    expect(problems(text)).toEqual([
      'vpn.groups[0].id: letters, digits, dot, dash or underscore, at most 64',
      'vpn.groups[0].extensionLength: must be 1 to 8',
      'vpn.groups[0].maxMembers: must be greater than 0',
      'vpn.groups[0].members[0].msisdn: must be 5 to 15 digits (E.164 without +)',
      'vpn.groups[0].members[0].shortNumber: must be 1 to 8 digits',
      expect.stringMatching(/^vpn\.groups\[0\]\.members\[0\]\.identity: .*"belongs"\|"joins"/),
      'vpn.groups[1]: Unrecognized key: "memebers"',
      'vpn.packages[0].monthlyFee: must not be negative',
      'vpn.packages[0].items: name at least one preferential item',
      'vpn.packages[0].levels: name at least one level',
      expect.stringMatching(/^vpn\.activations\[0\]\.when: .*"immediate"\|"next-month"/),
    ]);
  });
});

describe('against what is already provisioned', () => {
  const existing = (m: string, shortNumber: string, identity: 'belongs' | 'joins' = 'belongs'): Member => ({
    msisdn: m,
    shortNumber,
    identity,
    display: 'long',
  });
  const one = (members: string[], more = '') =>
    doc([
      `{ id: ZTE-SZ, name: ZTE, extensionLength: 4, maxMembers: 3${more}, members: [${members.join(', ')}] }`,
    ]);

  it('a member registered already with the same details is fine; with other details it is a problem', () => {
    const groups = stored(existing('8613800000001', '6001'));
    const memberships = new Map([
      [
        '8613800000001',
        [{ group: G.id, shortNumber: '6001', identity: 'belongs' as const, display: 'long' as const }],
      ],
    ]);
    expect(problems(one([member('8613800000001', '6001')]), { groups, memberships })).toEqual([]);
    expect(problems(one([member('8613800000001', '6005')]), { groups, memberships })).toEqual([
      'vpn.groups[0].members[0]: 8613800000001 is already in group ZTE-SZ as short number 6001 (belongs, display long); a document does not change a member, unregister it first',
    ]);
  });

  it('a short number taken, the group full, its extension length locked', () => {
    const groups = stored(
      existing('8613700000001', '6001', 'joins'),
      existing('8613700000002', '6002', 'joins'),
    );
    expect(problems(one([member('8613700000003', '6001', 'joins')]), { groups })).toEqual([
      'vpn.groups[0].members[0].shortNumber: 6001 is taken by 8613700000001 (already provisioned)',
    ]);
    expect(
      problems(one([member('8613700000003', '6003', 'joins'), member('8613700000004', '6004', 'joins')]), {
        groups,
      }),
    ).toEqual(['vpn.groups[0].members: 4 members (2 already provisioned), maxMembers is 3']);
    expect(problems(one([]).replace('extensionLength: 4', 'extensionLength: 5'), { groups })).toEqual([
      'vpn.groups[0].extensionLength: the group has 2 members with 4-digit short numbers; it cannot change to 5',
    ]);
  });

  it('a number that belongs to another group already', () => {
    const memberships = new Map([
      [
        '8613800000001',
        [{ group: 'HW', shortNumber: '1', identity: 'belongs' as const, display: 'long' as const }],
      ],
    ]);
    expect(problems(one([member('8613800000001', '6001')]), { memberships })).toEqual([
      'vpn.groups[0].members[0].identity: 8613800000001 already belongs to group HW (already provisioned); a number belongs to one group only',
    ]);
  });

  it('accounts, packages and memberships provisioned before count', () => {
    const accounts = new Map([['8613500000000', { prepaid: true, available: 600, minThreshold: 0 }]]);
    const packages = new Map<string, Package>([
      [
        'old',
        {
          id: 'old',
          monthlyFee: 600,
          items: ['intra-group-voice'],
          levels: [{ type: 'payment', unitSeconds: 60, pricePerUnit: 1 }],
          smsPricePerMessage: 0,
          onSuspension: 'reauthorize',
        },
      ],
    ]);
    const text = `vpn:
  groups: [{ id: X, name: X, extensionLength: 4, maxMembers: 5, members: [${member('8613500000000', '5000')}] }]
  activations: [${activation('8613500000000', 'old')}]`;
    expect(problems(text, { accounts, packages })).toEqual([]);
    const poorer = new Map([['8613500000000', { prepaid: true, available: 599, minThreshold: 0 }]]);
    expect(problems(text, { accounts: poorer, packages })).toEqual([
      'vpn.activations[0]: the monthly fee 600 of old is more than the 599 8613500000000 can spend',
    ]);
  });

  it('an activation in place for the package is not charged again, so the money is not checked', () => {
    const accounts = new Map([['8613800000002', { prepaid: true, available: 0, minThreshold: 0 }]]);
    const memberships = new Map([
      [
        '8613800000002',
        [{ group: G.id, shortNumber: '6002', identity: 'belongs' as const, display: 'long' as const }],
      ],
    ]);
    const inPlace: Activation = {
      msisdn: '8613800000002',
      package: 'vpn-300',
      status: 'active',
      activeFrom: '2026-10',
      paidThrough: '2026-10',
    };
    const text = doc([], [activation('8613800000002')]);
    expect(
      problems(text, { accounts, memberships, activations: new Map([['8613800000002', inPlace]]) }),
    ).toEqual([]);
    const suspended = { ...inPlace, status: 'suspended' as const };
    expect(
      problems(text, { accounts, memberships, activations: new Map([['8613800000002', suspended]]) }),
    ).toEqual([
      'vpn.activations[0]: the monthly fee 500 of vpn-300 is more than the 0 8613800000002 can spend',
    ]);
  });
});
