/**
 * The provisioning document of DESIGN §6 as parseDocument checks it: every problem reported at
 * once, each naming the path of the bad field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProvisioningError, formatPath, parseDocument } from '../../../src/provisioning/document.js';

/** The problems parseDocument reports for `text`, or [] when it parses. */
function problems(text: string, known: string[] = []): string[] {
  try {
    parseDocument(text, new Set(known));
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ProvisioningError);
    return (err as ProvisioningError).problems;
  }
}

const TARIFF = `{ id: std, currency: CNY, voice: { unitSeconds: 60, pricePerUnit: 15 } }`;

/** A document with the std tariff and these accounts (flow YAML). */
function withAccounts(...accounts: string[]): string {
  return `tariffs: [${TARIFF}]\naccounts: [${accounts.join(', ')}]`;
}

describe('a valid document', () => {
  it('parses the demo document', () => {
    const doc = parseDocument(
      readFileSync(new URL('../../../demo/provisioning.yaml', import.meta.url), 'utf8'),
    );
    expect(doc.tariffs.map((t) => t.id)).toEqual(['pps-standard', 'pps-world']);
    expect(doc.tariffs[0]).toEqual({
      id: 'pps-standard',
      currency: 'CNY',
      voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
      sms: { pricePerMessage: 10 },
      data: {
        ratingGroups: {
          '10': { unitOctets: 1048576, pricePerUnit: 30 },
          '20': { unitOctets: 1048576, pricePerUnit: 0 },
        },
      },
    });
    expect(doc.tariffs[1]).toMatchObject({
      timeZone: 'Asia/Shanghai',
      timeBands: [{ name: 'night', from: '23:00', to: '07:00', percent: 50 }],
    });
    expect(doc.tariffs[1]?.voice?.destinations?.map((d) => d.name)).toEqual([
      'national',
      'beijing',
      'nanp',
      'premium',
    ]);
    expect(doc.accounts).toHaveLength(6);
    expect(doc.accounts[4]).toEqual({
      msisdn: '8613900000009',
      prepaid: false,
      tariff: 'pps-standard',
      balance: 0,
      status: 'active',
      minThreshold: 0,
      bundles: [],
    });
  });

  it('fills in the defaults and takes JSON as well as YAML', () => {
    const doc = parseDocument(
      JSON.stringify({
        tariffs: [{ id: 'std', currency: 'EUR' }],
        accounts: [{ msisdn: '491701234567', tariff: 'std' }],
      }),
    );
    expect(doc.accounts).toEqual([
      {
        msisdn: '491701234567',
        prepaid: true,
        tariff: 'std',
        balance: 0,
        status: 'active',
        minThreshold: 0,
        bundles: [],
      },
    ]);
  });

  it('takes an empty document', () => {
    expect(parseDocument('')).toEqual({ tariffs: [], bundles: [], accounts: [] });
  });

  it('lets accounts name a tariff provisioned before', () => {
    expect(problems(`accounts: [{ msisdn: '8613800000001', tariff: gold }]`, ['gold'])).toEqual([]);
  });

  it('takes the last day of February in a leap year', () => {
    expect(
      problems(withAccounts(`{ msisdn: '8613800000001', tariff: std, validUntil: '2028-02-29' }`)),
    ).toEqual([]);
  });
});

describe('bad fields, each with its path', () => {
  it('reports every problem of the document at once', () => {
    const text = `
tariffs:
  - id: std
    currency: XYZ
    voice: { unitSeconds: 0, pricePerUnit: 1.5 }
    sms: { pricePerMessage: -1 }
accounts:
  - { msisdn: '8613800000001', tariff: std, balance: -1 }
  - { msisdn: '12ab', tariff: std, status: frozen, minThreshold: 0.5 }
`;
    expect(problems(text)).toEqual([
      'tariffs[0].currency: must be an ISO 4217 code such as CNY or EUR',
      'tariffs[0].voice.unitSeconds: must be greater than 0',
      'tariffs[0].voice.pricePerUnit: must be a whole number of minor units',
      'tariffs[0].sms.pricePerMessage: must not be negative',
      'accounts[0].balance: must not be negative',
      'accounts[1].msisdn: must be 5 to 15 digits (E.164 without +)',
      expect.stringMatching(/^accounts\[1\]\.status: .*"active"\|"blocked"\|"lost"/),
      'accounts[1].minThreshold: must be a whole number of minor units',
    ]);
  });

  it('names a field the format does not have', () => {
    expect(problems(withAccounts(`{ msisdn: '8613800000001', tariff: std, balanse: 100 }`))).toEqual([
      'accounts[0]: Unrecognized key: "balanse"',
    ]);
    expect(problems(`tarifs: []`)).toEqual(['(document): Unrecognized key: "tarifs"']);
  });

  it('says why a rating group key is bad', () => {
    const text = `tariffs: [{ id: std, currency: CNY, data: { ratingGroups: { web: { unitOctets: 1, pricePerUnit: 1 } } } }]`;
    expect(problems(text)).toEqual([
      'tariffs[0].data.ratingGroups.web: a rating group is a number from 0 to 4294967295',
    ]);
    const tooBig = text.replace('web', "'4294967296'");
    expect(problems(tooBig)).toEqual([
      'tariffs[0].data.ratingGroups.4294967296: a rating group is a number from 0 to 4294967295',
    ]);
    expect(problems(text.replace('web', "'4294967295'"))).toEqual([]);
  });

  it('refuses a date that is not in the calendar', () => {
    for (const date of ['2027-13-01', '2027-02-30', '2027-04-31', '2027-02-29']) {
      expect(
        problems(withAccounts(`{ msisdn: '8613800000001', tariff: std, validUntil: '${date}' }`)),
      ).toEqual(['accounts[0].validUntil: is not a calendar date']);
    }
    expect(
      problems(withAccounts(`{ msisdn: '8613800000001', tariff: std, validUntil: '31/12/2027' }`)),
    ).toEqual(['accounts[0].validUntil: must be a date YYYY-MM-DD']);
  });

  it('refuses an amount the balance store cannot hold (15 digits at most)', () => {
    expect(
      problems(withAccounts(`{ msisdn: '8613800000001', tariff: std, balance: 999999999999999 }`)),
    ).toEqual([]);
    expect(
      problems(withAccounts(`{ msisdn: '8613800000001', tariff: std, balance: 1000000000000000 }`)),
    ).toEqual(['accounts[0].balance: must be at most 999999999999999']);
    const tariff = `tariffs: [{ id: big, currency: CNY, voice: { unitSeconds: 60, pricePerUnit: 1000000000000000 } }]`;
    expect(problems(tariff)).toEqual(['tariffs[0].voice.pricePerUnit: must be at most 999999999999999']);
  });

  it('says when the text is not YAML or not a document', () => {
    expect(problems('{ tariffs: [')).toEqual([expect.stringMatching(/^not valid YAML or JSON: /)]);
    expect(problems('- a\n- b')).toEqual([expect.stringMatching(/^\(document\): .*expected object/)]);
  });
});

describe('what the shape cannot say', () => {
  it('reports a tariff id that appears twice', () => {
    const text = `tariffs: [${TARIFF}, { id: eu, currency: EUR }, ${TARIFF}]`;
    expect(problems(text)).toEqual(['tariffs[2].id: std appears twice']);
  });

  it('reports an MSISDN that appears twice', () => {
    const text = withAccounts(
      `{ msisdn: '8613800000001', tariff: std }`,
      `{ msisdn: '8613800000002', tariff: std }`,
      `{ msisdn: '8613800000001', tariff: std, balance: 5 }`,
    );
    expect(problems(text)).toEqual(['accounts[2].msisdn: 8613800000001 appears twice']);
  });

  it('reports an IMSI or NAI given to two accounts', () => {
    const text = withAccounts(
      `{ msisdn: '8613800000001', tariff: std, imsi: '460001234567890', nai: 'a@example.com' }`,
      `{ msisdn: '8613800000002', tariff: std, imsi: '460001234567890' }`,
      `{ msisdn: '8613800000003', tariff: std, nai: 'a@example.com' }`,
    );
    expect(problems(text)).toEqual([
      'accounts[1].imsi: 460001234567890 appears twice',
      'accounts[2].nai: a@example.com appears twice',
    ]);
  });

  it('reports an account whose tariff is nowhere', () => {
    const text = withAccounts(
      `{ msisdn: '8613800000001', tariff: std }`,
      `{ msisdn: '8613800000002', tariff: gold }`,
    );
    expect(problems(text)).toEqual([
      'accounts[1].tariff: no tariff gold in the document or already provisioned',
    ]);
  });

  it('takes a VPN section (its rules are tested in vpn.test.ts)', () => {
    expect(parseDocument(`vpn: { groups: [] }`).vpn).toEqual({ groups: [], packages: [], activations: [] });
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and names after dots', () => {
    expect(formatPath(['accounts', 0, 'balance'])).toBe('accounts[0].balance');
    expect(formatPath(['vpn', 'groups', 0, 'members', 1, 'shortNumber'])).toBe(
      'vpn.groups[0].members[1].shortNumber',
    );
    expect(formatPath([])).toBe('');
  });
});
