import { BalanceStore } from '../balance/index.js';
import { ConfigError } from '../config/config.js';
import { connectRedis } from '../redis/connect.js';
import { monthOf } from '../vpn/model.js';
import { VpnRegistry, type MonthlyRunSummary } from '../vpn/registry.js';
import { UsageError, type Command } from './command.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Failure codes that mean "not enough money". The run suspends such activations rather than
 * failing them, so these are not expected here; if one shows up it is still not a fault of the
 * run, and does not make the exit code 1.
 */
const LACK_OF_MONEY = new Set(['INSUFFICIENT_FUNDS', 'InsufficientFundsError']);

/** The run's summary as the command prints it: one line, then one line per failure. */
export function formatMonthlySummary(summary: MonthlyRunSummary): string {
  const { month, charged, suspended, skipped, failed } = summary;
  const lines = [
    `vpn-monthly ${month}: ${charged} charged, ${suspended} suspended (fee unpaid), ${skipped} skipped, ${failed.length} failed`,
  ];
  for (const { msisdn, code, message } of failed) {
    // A VPN error's message starts with its code already.
    lines.push(`  failed ${msisdn}: ${message.startsWith(`${code}:`) ? message : `${code}: ${message}`}`);
  }
  return lines.join('\n');
}

/**
 * `ocs vpn-monthly [YYYY-MM]`: the monthly VPN run of DESIGN §3 (ZTE S305) for a month, by
 * default the current UTC month: charges the functional fee of every activation that owes it,
 * resets the free credits of those paid, and suspends those whose fee cannot be paid. Running
 * it again for the same month changes nothing that was settled (paid activations are skipped,
 * suspended ones are tried again). A month after the current one is refused: it would charge
 * fees and start free credits early.
 *
 * Exit code 0, or 1 when some activations could not be decided for another reason than a lack
 * of money (they are listed; a later run tries them again).
 */
export const vpnMonthly: Command = {
  name: 'vpn-monthly',
  usage: 'vpn-monthly [YYYY-MM]',
  summary: 'charge monthly VPN fees, reset free credits, suspend the unpayable (needs REDIS_URL)',
  async run(args, config) {
    if (args.length > 1)
      throw new UsageError(`ocs vpn-monthly [YYYY-MM]: one month at most, got ${args.length}`);
    const current = monthOf(Date.now());
    const month = args[0] ?? current;
    if (!MONTH.test(month)) {
      throw new UsageError(`ocs vpn-monthly ${month}: the month is written YYYY-MM, e.g. ${current}`);
    }
    if (month > current) {
      throw new UsageError(
        `ocs vpn-monthly ${month}: that month has not begun (it is ${current} UTC); its fees are charged when it has`,
      );
    }
    if (!config.redisUrl)
      throw new ConfigError(['REDIS_URL: required for the monthly run (the Redis the servers use)']);
    const redis = connectRedis(config.redisUrl);
    try {
      const store = new BalanceStore({ redis });
      const registry = new VpnRegistry({ redis, store });
      const summary = await registry.monthlyRun(month, Date.now());
      console.log(formatMonthlySummary(summary));
      return summary.failed.some((f) => !LACK_OF_MONEY.has(f.code)) ? 1 : 0;
    } finally {
      redis.disconnect();
    }
  },
};
