import { parseBundleBucket } from '../bundles/model.js';
import type { BundleUsage } from './bundle-usage.js';
import { change, totalOf, type BalanceSnapshot, type BucketSums } from './provision.js';
import type { BundleMoneyCheck } from './report.js';

/** Accounts named in a problem before the rest are only counted. */
const NAMED = 3;

export interface BundleCheckResult {
  report: BundleMoneyCheck;
  problems: string[];
  /** Money of the bounded holders: the exact sum over the other accounts leaves it out. */
  boundedSpent: number;
  boundedExpected: number;
}

const ZERO: BucketSums = { available: 0, reserved: 0, spent: 0 };

/**
 * The accounts holding bundles, one by one (DESIGN §3, Bundles): money spent exactly what the
 * tariff gives for the usage the bundles did not cover, each bundle's spent exactly the units
 * it covered, nothing left reserved and nothing appeared or vanished. An account whose grants
 * overlapped is only bounded: its money at most what the tariff gives without bundles, each
 * bundle spent by at most what it held.
 */
export function checkBundles(
  usage: BundleUsage,
  before: BalanceSnapshot,
  after: BalanceSnapshot,
  /** Accounts whose money is checked apart (VPN package members): not in the bounded sums. */
  apart: { has(msisdn: string): boolean },
): BundleCheckResult {
  const report: BundleMoneyCheck = {
    accounts: usage.size,
    byBundle: {},
    reservedChange: change(after.bundles.reserved, before.bundles.reserved),
    totalChange: change(totalOf(after.bundles), totalOf(before.bundles)),
    bounded: 0,
  };
  const wrong: string[] = [];
  let boundedSpent = 0;
  let boundedExpected = 0;
  for (const [msisdn, expected] of usage.expectations()) {
    const was = before.holders.get(msisdn);
    const is = after.holders.get(msisdn);
    const moneySpent = (is?.money.spent ?? 0) - (was?.money.spent ?? 0);
    const buckets = new Set([...Object.keys(was?.bundles ?? {}), ...Object.keys(is?.bundles ?? {})]);
    const faults: string[] = [];
    for (const bucket of buckets) {
      const spent = (is?.bundles[bucket] ?? ZERO).spent - (was?.bundles[bucket] ?? ZERO).spent;
      const covered = expected.bundles.get(bucket) ?? 0;
      const id = parseBundleBucket(bucket)?.id ?? bucket;
      const line = (report.byBundle[id] ??= { expected: 0, spent: 0 });
      line.spent += spent;
      line.expected += covered;
      const held = expected.held.get(bucket) ?? 0;
      if (!expected.bounded && spent !== covered) faults.push(`${bucket} spent ${spent}, covered ${covered}`);
      if (expected.bounded && (spent < 0 || spent > held))
        faults.push(`${bucket} spent ${spent}, held ${held}`);
    }
    if (expected.bounded) {
      report.bounded++;
      if (!apart.has(msisdn)) {
        boundedSpent += moneySpent;
        boundedExpected += expected.money;
      }
      if (moneySpent < 0 || moneySpent > expected.moneyWithoutBundles)
        faults.push(`money spent ${moneySpent}, at most ${expected.moneyWithoutBundles} without bundles`);
    } else if (moneySpent !== expected.money) {
      faults.push(`money spent ${moneySpent}, the tariff gives ${expected.money} beyond its bundles`);
    }
    if (faults.length) wrong.push(`${msisdn}: ${faults.join(', ')}`);
  }
  const problems: string[] = [];
  if (wrong.length)
    problems.push(
      `accounts holding bundles not as their usage explains: ${wrong.slice(0, NAMED).join('; ')}` +
        (wrong.length > NAMED ? `; and ${wrong.length - NAMED} more` : ''),
    );
  if (report.reservedChange !== 0) problems.push(`bundles reserved changed by ${report.reservedChange}`);
  if (report.totalChange !== 0) problems.push(`bundles in total changed by ${report.totalChange}`);
  return { report, problems, boundedSpent, boundedExpected };
}
