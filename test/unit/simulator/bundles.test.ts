/**
 * The simulator's bundles (DESIGN §3, Bundles): a scenario gives accounts bundles, the expected
 * money follows each account's bundles as the balance scripts spend them (a started unit of the
 * tariff takes its size, the bundle ending soonest first, only what a bundle pays for), and the
 * check names an account whose buckets moved otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { BundleHolding } from '../../../src/bundles/account-bundles.js';
import type { TariffDocument } from '../../../src/catalog/schema.js';
import { checkBundles } from '../../../src/simulator/bundle-check.js';
import { BundleUsage } from '../../../src/simulator/bundle-usage.js';
import { ExpectedMoney } from '../../../src/simulator/money.js';
import type { BalanceSnapshot, BucketSums, Totals } from '../../../src/simulator/provision.js';
import { provisioningDocuments } from '../../../src/simulator/provision.js';
import { parseScenario } from '../../../src/simulator/scenario.js';

const MiB = 1_048_576;
const NOW = Date.UTC(2026, 11, 6, 12);
const DAY = 86_400_000;
const A = '8613800000001';
const B = '8613800000002';

const tariff: TariffDocument = {
  id: 't',
  currency: 'CNY',
  voice: {
    unitSeconds: 60,
    pricePerUnit: 15,
    terminatingPricePerUnit: 0,
    destinations: [
      { prefix: '86', name: 'national', pricePerUnit: 15 },
      { prefix: '8610', name: 'beijing', pricePerUnit: 10 },
    ],
  },
  data: {
    ratingGroups: { '10': { unitOctets: MiB, pricePerUnit: 30 }, '20': { unitOctets: MiB, pricePerUnit: 0 } },
  },
};

function holding(bucket: string, terms: Partial<BundleHolding>): BundleHolding {
  return {
    bundle: bucket.split(':')[1]!,
    service: 'data',
    unit: 'octets',
    units: 0,
    fee: 0,
    startsAtMs: NOW - DAY,
    endsAtMs: Number(bucket.split(':')[2]) * 1000,
    calendarMonth: false,
    bucket,
    ...terms,
  };
}

const END = Math.floor((NOW + 10 * DAY) / 1000);
const SOONER = Math.floor((NOW + 2 * DAY) / 1000);
const DATA = `bundle:data:${END}`;
const DATA_SOON = `bundle:soon:${SOONER}`;
const MINUTES = `bundle:min:${END}`;

function usage(): BundleUsage {
  return BundleUsage.of([
    [
      A,
      [
        holding(DATA, { ratingGroups: ['10'] }),
        holding(DATA_SOON, {}),
        holding(MINUTES, { service: 'voice', unit: 'seconds', destinations: ['national'] }),
      ],
      { [DATA]: 3 * MiB, [DATA_SOON]: MiB + 5, [MINUTES]: 150 },
    ],
  ]);
}

describe('ExpectedMoney with bundles', () => {
  it('spends the bundle ending soonest first, whole units of the tariff, then money', () => {
    const bundles = usage();
    const money = new ExpectedMoney(tariff, undefined, bundles);
    // 1.5 MiB, two started: the bundle ending soonest holds one whole MiB, the other the second.
    money.add(A, 'data', 10, 1.5 * MiB, { atMs: NOW });
    money.add(A, 'data', 10, 2 * MiB, { atMs: NOW });
    // 3.5 MiB used, four started: both bundles are spent, all from money.
    money.add(A, 'data', 10, 3.5 * MiB, { atMs: NOW });
    // Free rating group: no bundle, no money.
    money.add(A, 'data', 20, 5 * MiB, { atMs: NOW });
    const a = [...bundles.expectations()][0]?.[1];
    expect(a!.bundles.get(DATA_SOON)).toBe(MiB);
    expect(a!.bundles.get(DATA)).toBe(3 * MiB);
    expect(a!.money).toBe(120);
    expect(a!.moneyWithoutBundles).toBe(60 + 60 + 120);
    expect(money.total).toBe(120);
  });

  it('pays national calls from minutes, a started minute in full, never Beijing; an ended bundle nothing', () => {
    const bundles = usage();
    const money = new ExpectedMoney(tariff, undefined, bundles);
    money.add(A, 'voice', 100, 61, { called: 'tel:+8613912345678', atMs: NOW }); // 120 s of 150
    money.add(A, 'voice', 100, 60, { called: 'tel:+861062345678', atMs: NOW }); // beijing: 10
    money.add(A, 'voice', 100, 60, { called: 'tel:+8613912345678', atMs: NOW }); // 30 s left: money 15
    money.add(A, 'data', 10, MiB, { atMs: (SOONER + 1) * 1000 }); // the soon one has ended
    const a = [...bundles.expectations()][0]?.[1];
    expect(a!.bundles.get(MINUTES)).toBe(120);
    expect(a!.bundles.get(DATA_SOON)).toBe(0);
    expect(a!.bundles.get(DATA)).toBe(MiB);
    expect(a!.money).toBe(25);
    // Another account holds none: the tariff alone.
    money.add(B, 'data', 10, MiB, { atMs: NOW });
    expect(money.total).toBe(55);
  });

  it('bounds an account whose grants overlap', () => {
    const bundles = usage();
    const money = new ExpectedMoney(tariff, undefined, bundles);
    money.opened(A, 1);
    money.opened(A, 1);
    money.closed(A, 1);
    money.closed(A, 1);
    expect([...bundles.expectations()][0]![1].bounded).toBe(true);
  });
});

const sums = (available: number, reserved: number, spent: number): BucketSums => ({
  available,
  reserved,
  spent,
});

const exact = (b: BucketSums): Totals => ({
  available: BigInt(b.available),
  reserved: BigInt(b.reserved),
  spent: BigInt(b.spent),
});

function snapshot(money: BucketSums, buckets: Record<string, BucketSums>): BalanceSnapshot {
  const zero = exact(sums(0, 0, 0));
  const all = Object.values(buckets).reduce(
    (t, b) => ({
      available: t.available + BigInt(b.available),
      reserved: t.reserved + BigInt(b.reserved),
      spent: t.spent + BigInt(b.spent),
    }),
    zero,
  );
  return {
    accounts: 1,
    ...exact(money),
    apart: { accounts: 0, ...zero },
    free: zero,
    bundles: all,
    holders: new Map([[A, { money, bundles: buckets }]]),
  };
}

describe('checkBundles', () => {
  const before = snapshot(sums(1000, 0, 0), {
    [DATA]: sums(3 * MiB, 0, 0),
    [DATA_SOON]: sums(MiB + 5, 0, 0),
    [MINUTES]: sums(150, 0, 0),
  });
  const spend = () => {
    const bundles = usage();
    new ExpectedMoney(tariff, undefined, bundles).add(A, 'data', 10, 2 * MiB, { atMs: NOW });
    return bundles;
  };

  it('is satisfied by buckets moved as the usage says', () => {
    const after = snapshot(sums(1000, 0, 0), {
      [DATA]: sums(2 * MiB, 0, MiB),
      [DATA_SOON]: sums(5, 0, MiB),
      [MINUTES]: sums(150, 0, 0),
    });
    const r = checkBundles(spend(), before, after, { has: () => false });
    expect(r.problems).toEqual([]);
    expect(r.report.byBundle).toEqual({
      data: { expected: MiB, spent: MiB },
      soon: { expected: MiB, spent: MiB },
      min: { expected: 0, spent: 0 },
    });
  });

  it('names the account whose money or bundle moved otherwise, and units left reserved', () => {
    const after = snapshot(sums(970, 0, 30), {
      [DATA]: sums(3 * MiB, 0, 0),
      [DATA_SOON]: sums(4, 1, MiB),
      [MINUTES]: sums(150, 0, 0),
    });
    const r = checkBundles(spend(), before, after, { has: () => false });
    expect(r.problems).toEqual([
      `accounts holding bundles not as their usage explains: ${A}: ${DATA} spent 0, covered ${MiB}, ` +
        'money spent 30, the tariff gives 0 beyond its bundles',
      'bundles reserved changed by 1',
    ]);
  });
});

describe('a scenario giving its accounts bundles', () => {
  it('puts the bundles on sale with the tariff and gives them to the range', () => {
    const s = parseScenario(`
mode: { type: rate, sessionsPerSecond: 1 }
stop: { sessions: 1 }
msisdn: { first: '8613800000000', count: 2 }
mix: [{ kind: data }]
provision:
  tariff: { id: t1, currency: CNY, data: { ratingGroups: { '10': { unitOctets: 1, pricePerUnit: 1 } } } }
  bundles:
    - { id: data-1g, fee: 10, units: { octets: 1073741824 }, appliesTo: { service: data }, validity: { days: 30 } }
  accounts:
    - { first: '8613800000000', count: 1, bundles: [data-1g] }
    - { first: '8613800000001', count: 1 }
`);
    const docs = provisioningDocuments(s).map((d) => JSON.parse(d) as Record<string, unknown[]>);
    expect(docs[0]!.bundles).toEqual([
      {
        id: 'data-1g',
        fee: 10,
        units: { octets: 1073741824 },
        appliesTo: { service: 'data' },
        validity: { days: 30 },
      },
    ]);
    expect(docs[1]!.accounts).toMatchObject([
      { msisdn: '8613800000000', bundles: [{ bundle: 'data-1g' }] },
      { msisdn: '8613800000001' },
    ]);
    expect(docs[1]!.accounts![1]).not.toHaveProperty('bundles');
  });
});
