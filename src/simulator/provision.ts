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
  const docs = [JSON.stringify({ tariffs: [p.tariff] })];
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

/** Money summed over accounts (minor units). */
export interface MoneySnapshot {
  accounts: number;
  available: number;
  reserved: number;
  spent: number;
}

/** Reads the money bucket of every account of the ranges (missing accounts are skipped). */
export async function moneySnapshot(
  deps: Pick<ProvisioningDeps, 'store'>,
  ranges: readonly AccountsSpec[],
): Promise<MoneySnapshot> {
  const numbers = accountNumbers(ranges);
  const total: MoneySnapshot = { accounts: 0, available: 0, reserved: 0, spent: 0 };
  const worker = async () => {
    for (let n = numbers.next(); !n.done; n = numbers.next()) {
      const account = await deps.store.getAccount(n.value);
      const money = account?.buckets.money;
      if (!money) continue;
      total.accounts++;
      total.available += money.available;
      total.reserved += money.reserved;
      total.spent += money.spent;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return total;
}
