import type { Cluster, Redis } from 'ioredis';
import { BalanceStore } from '../balance/index.js';
import { connectRedis } from '../redis/connect.js';
import type { BundleRenewalSummary } from '../bundles/renewal.js';
import { VpnRegistry, type MonthlyRunSummary, type Suspension } from '../vpn/registry.js';
import { commandTriggers } from './network-triggers.js';
import { requiredRedisUrl, type RedisNeeds } from './redis-needs.js';

/**
 * Failure codes that mean "not enough money". The run suspends such activations rather than
 * failing them, so these are not expected here; if one shows up it is still not a fault of the
 * run, and does not make the exit code 1.
 */
const LACK_OF_MONEY = new Set(['INSUFFICIENT_FUNDS', 'InsufficientFundsError']);

type BundleSteps = Omit<BundleRenewalSummary, 'failed'>;

/** The run's summary as the command prints it: one line, then one line per failure. */
export function formatMonthlySummary(summary: MonthlyRunSummary & { bundles?: BundleSteps }): string {
  const { month, charged, suspended, skipped, failed, bundles } = summary;
  const lines = [
    `vpn-monthly ${month}: ${charged} charged, ${suspended} suspended (fee unpaid), ${skipped} skipped, ${failed.length} failed`,
  ];
  if (bundles) {
    const { renewed, unpaid, lapsed, expired } = bundles;
    lines.push(
      `bundles ${month}: ${renewed} renewed, ${unpaid} unpaid, ${lapsed} lapsed, ${expired} ended and cleared`,
    );
  }
  for (const { msisdn, code, message } of failed) {
    // A VPN error's message starts with its code already.
    lines.push(`  failed ${msisdn}: ${message.startsWith(`${code}:`) ? message : `${code}: ${message}`}`);
  }
  return lines.join('\n');
}

/**
 * The open sessions of the members the run suspended get what their package says (a RAR or an
 * ASR), sent by the instances holding their clients' connections; the run stands if they cannot.
 */
async function tellSessions(redis: Redis | Cluster, suspensions: readonly Suspension[]): Promise<void> {
  if (suspensions.length === 0) return;
  try {
    await commandTriggers(redis).packagesSuspended(suspensions);
  } catch (err) {
    console.error(
      `vpn-monthly: the sessions of ${suspensions.length} suspended members were not told: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Runs the month on the servers' Redis and prints its summary; exit code 1 for a failure. */
export async function monthlyRun(month: string, needs: RedisNeeds): Promise<number> {
  const redis = connectRedis(await requiredRedisUrl(needs, 'for the monthly run'));
  try {
    const store = new BalanceStore({ redis });
    const registry = new VpnRegistry({ redis, store });
    const summary = await registry.monthlyRun(month, Date.now());
    await tellSessions(redis, summary.suspensions);
    console.log(formatMonthlySummary(summary));
    return summary.failed.some((f) => !LACK_OF_MONEY.has(f.code)) ? 1 : 0;
  } finally {
    redis.disconnect();
  }
}
