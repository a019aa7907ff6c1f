import { MONEY } from '../balance/index.js';
import { parseBundleBucket } from '../bundles/model.js';
import { provision, type ProvisioningDeps } from '../provisioning/apply.js';
import { numberAt, type AccountsSpec, type Scenario } from './scenario.js';

/** Accounts per provisioning document: small documents keep parsing cheap and errors local. */
const CHUNK = 500;
/** Documents applied at once. */
const PARALLEL = 8;

/** The account ranges a scenario provisions: its own, or the scenario's msisdn range. */
export function accountRanges(scenario: Scenario): AccountsSpec[] {
  return (
    scenario.provision?.accounts ?? [
      {
        first: scenario.msisdn.first,
        count: scenario.msisdn.count,
        balance: 1_000_000,
        prepaid: true,
        status: 'active',
      },
    ]
  );
}

export function* accountNumbers(ranges: readonly AccountsSpec[]): Generator<string> {
  for (const r of ranges) for (let i = 0; i < r.count; i++) yield numberAt(r, i);
}

/**
 * The provisioning documents (DESIGN §6, as JSON) for a scenario: the tariff first, then the
 * accounts in chunks. Empty when the scenario provisions nothing.
 */
export function provisioningDocuments(scenario: Scenario): string[] {
  const p = scenario.provision;
  if (!p) return [];
  const docs = [JSON.stringify({ tariffs: [p.tariff], ...(p.bundles ? { bundles: p.bundles } : {}) })];
  let chunk: object[] = [];
  for (const r of accountRanges(scenario)) {
    for (let i = 0; i < r.count; i++) {
      chunk.push({
        msisdn: numberAt(r, i),
        prepaid: r.prepaid,
        tariff: p.tariff.id,
        balance: r.balance,
        status: r.status,
        ...(r.validUntil ? { validUntil: r.validUntil } : {}),
        ...(r.bundles ? { bundles: r.bundles.map((bundle) => ({ bundle })) } : {}),
      });
      if (chunk.length === CHUNK) {
        docs.push(JSON.stringify({ accounts: chunk }));
        chunk = [];
      }
    }
  }
  if (chunk.length) docs.push(JSON.stringify({ accounts: chunk }));
  return docs;
}

export interface ProvisionedSummary {
  tariffs: number;
  accountsCreated: number;
  accountsUpdated: number;
}

/**
 * Provisions the scenario's tariff and accounts through the same code as `ocs provision`.
 * An account that exists keeps its balance (provisioning never tops up).
 */
export async function provisionScenario(
  deps: ProvisioningDeps,
  scenario: Scenario,
): Promise<ProvisionedSummary> {
  const [tariff, ...accounts] = provisioningDocuments(scenario);
  const summary: ProvisionedSummary = { tariffs: 0, accountsCreated: 0, accountsUpdated: 0 };
  if (!tariff) return summary;
  summary.tariffs = (await provision(deps, tariff)).tariffs;
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const doc = accounts[next++]!;
      const s = await provision(deps, doc);
      summary.accountsCreated += s.accountsCreated;
      summary.accountsUpdated += s.accountsUpdated;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return summary;
}

/** Sums of a bucket's parts over accounts. */
export interface BucketSums {
  available: number;
  reserved: number;
  spent: number;
}

/**
 * A bucket's parts summed over accounts, exactly: a few thousand accounts of large balances pass
 * 2^53, where a sum of numbers rounds and a run would seem to make or lose money.
 */
export interface Totals {
  available: bigint;
  reserved: bigint;
  spent: bigint;
}

/** available + reserved + spent. */
export const totalOf = (s: Totals): bigint => s.available + s.reserved + s.spent;

/** How much a total moved during a run, as a number (a run moves far less than 2^53). */
export const change = (after: bigint, before: bigint): number => Number(after - before);

/** Money summed over accounts (minor units). */
export interface MoneySnapshot extends Totals {
  accounts: number;
}

/** The buckets of an account holding bundles: its money, and each bundle's bucket. */
export interface HolderBuckets {
  money: BucketSums;
  bundles: Record<string, BucketSums>;
}

/** The money of every account, of some of them apart, and the other buckets (free credits). */
export interface BalanceSnapshot extends MoneySnapshot {
  /** The money of the accounts `apart` selected. */
  apart: MoneySnapshot;
  /** Every bucket but money and bundles (a VPN package's free levels), summed over the accounts. */
  free: Totals;
  /** The bundle buckets, summed over the accounts. */
  bundles: Totals;
  /** Each account holding a bundle bucket, with its buckets. */
  holders: Map<string, HolderBuckets>;
}

/** Reads the money bucket of every account of the ranges (missing accounts are skipped). */
export function moneySnapshot(
  deps: Pick<ProvisioningDeps, 'store'>,
  ranges: readonly AccountsSpec[],
): Promise<MoneySnapshot> {
  return balanceSnapshot(deps, ranges, { has: () => false });
}

/**
 * Reads every bucket of every account of the ranges (missing accounts are skipped): money over
 * all, money of the accounts `apart` selects, and the other buckets.
 */
export async function balanceSnapshot(
  deps: Pick<ProvisioningDeps, 'store'>,
  ranges: readonly AccountsSpec[],
  apart: { has(msisdn: string): boolean },
): Promise<BalanceSnapshot> {
  const numbers = accountNumbers(ranges);
  const sums = (): MoneySnapshot => ({ accounts: 0, available: 0n, reserved: 0n, spent: 0n });
  const none = (): BucketSums => ({ available: 0, reserved: 0, spent: 0 });
  const total: BalanceSnapshot = {
    ...sums(),
    apart: sums(),
    free: sums(),
    bundles: sums(),
    holders: new Map(),
  };
  const add = (to: Totals, b: BucketSums) => {
    to.available += BigInt(b.available);
    to.reserved += BigInt(b.reserved);
    to.spent += BigInt(b.spent);
  };
  const worker = async () => {
    for (let n = numbers.next(); !n.done; n = numbers.next()) {
      const account = await deps.store.getAccount(n.value);
      if (!account) continue;
      const names = Object.keys(account.buckets);
      const holder = names.some((name) => parseBundleBucket(name))
        ? { money: account.buckets[MONEY] ?? none(), bundles: {} as Record<string, BucketSums> }
        : undefined;
      if (holder) total.holders.set(n.value, holder);
      for (const [name, bucket] of Object.entries(account.buckets)) {
        if (holder && parseBundleBucket(name)) {
          holder.bundles[name] = bucket;
          add(total.bundles, bucket);
          continue;
        }
        if (name !== MONEY) {
          add(total.free, bucket);
          continue;
        }
        total.accounts++;
        add(total, bucket);
        if (apart.has(n.value)) {
          total.apart.accounts++;
          add(total.apart, bucket);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return total;
}
