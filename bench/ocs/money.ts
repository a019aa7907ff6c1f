import type { BalanceStore } from '../../src/balance/index.js';
import { accountNumbers } from '../../src/simulator/provision.js';
import type { AccountsSpec } from '../../src/simulator/scenario.js';
import type { Report } from '../../src/simulator/report.js';
import { freeLevelBucket } from '../../src/vpn/model.js';
import { VOICE_PRICE, VPN_PACKAGE } from './scenario.js';

/** Money summed over accounts, exactly: 11,000 accounts of 10^12 pass 2^53, where numbers round. */
export interface Balances {
  available: bigint;
  reserved: bigint;
  spent: bigint;
  /** Seconds taken from the package's free level. */
  freeSeconds: number;
}

export async function balances(store: BalanceStore, ranges: readonly AccountsSpec[]): Promise<Balances> {
  const numbers = accountNumbers(ranges);
  const free = freeLevelBucket(VPN_PACKAGE, 0);
  const total: Balances = { available: 0n, reserved: 0n, spent: 0n, freeSeconds: 0 };
  const worker = async () => {
    for (let n = numbers.next(); !n.done; n = numbers.next()) {
      const account = await store.getAccount(n.value);
      const money = account?.buckets.money;
      if (money) {
        total.available += BigInt(money.available);
        total.reserved += BigInt(money.reserved);
        total.spent += BigInt(money.spent);
      }
      total.freeSeconds += account?.buckets[free]?.spent ?? 0;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return total;
}

/**
 * The money check of a phase: money spent is what the tariff gives for the usage accepted
 * outside VPN calls, VPN calls took exactly their minutes from the free level, nothing stays
 * reserved, and no money appeared or vanished.
 */
export function moneyProblems(report: Report, before: Balances, after: Balances): string[] {
  const problems: string[] = [];
  const expected = report.money?.expected ?? 0;
  const vpnSeconds = ((report.money?.expectedVpn ?? 0) / VOICE_PRICE) * 60;
  const spent = Number(after.spent - before.spent);
  const reserved = Number(after.reserved - before.reserved);
  const total = Number(
    after.available + after.reserved + after.spent - (before.available + before.reserved + before.spent),
  );
  const free = after.freeSeconds - before.freeSeconds;
  if (spent !== expected) problems.push(`money spent ${spent}, the tariff gives ${expected}`);
  if (free !== vpnSeconds)
    problems.push(`free seconds taken ${free}, the VPN calls accepted used ${vpnSeconds}`);
  if (reserved !== 0) problems.push(`money reserved changed by ${reserved}`);
  if (total !== 0) problems.push(`money in total changed by ${total}`);
  return problems;
}
