import { readArgs, type ArgSpec } from './arguments.js';
import { UsageError } from './command.js';
import { defineCommand } from './define.js';
import { redisNeeds, type RedisNeeds } from './redis-needs.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const ARGS = { flags: {}, optional: ['YYYY-MM'] } as const satisfies ArgSpec;

/** The month to run: the one given, else the current UTC month; never one not yet begun. */
async function parseMonth(args: string[]): Promise<string> {
  const given = readArgs('vpn-monthly', args, ARGS).positionals[0];
  const { monthOf } = await import('../vpn/model.js');
  const current = monthOf(Date.now());
  const month = given ?? current;
  if (!MONTH.test(month)) {
    throw new UsageError(`ocs vpn-monthly ${month}: the month is written YYYY-MM, e.g. ${current}`);
  }
  if (month > current) {
    throw new UsageError(
      `ocs vpn-monthly ${month}: that month has not begun (it is ${current} UTC); its fees are charged when it has`,
    );
  }
  return month;
}

/**
 * `ocs vpn-monthly [YYYY-MM]`: the monthly VPN run of DESIGN §3 (ZTE S305). A month after the
 * current one is refused: it would charge fees and start free credits early.
 */
export const vpnMonthly = defineCommand<string, RedisNeeds>({
  name: 'vpn-monthly',
  usage: 'vpn-monthly [YYYY-MM]',
  summary: 'charge monthly VPN fees, reset free credits, suspend the unpayable (needs REDIS_URL)',
  args: ARGS,
  help: {
    synopsis: ['vpn-monthly [YYYY-MM]'],
    description:
      'The monthly VPN run for a month, by default the current UTC month: charges the functional ' +
      'fee of every activation that owes it, resets the free credits of those paid, and suspends ' +
      "those whose fee cannot be paid (their open sessions get a RAR or an ASR, as their package's " +
      'onSuspension says, from the servers holding their clients); then clears ended bundles and renews the calendar-month bundles ' +
      'paid through the month before whose fee can be paid. Running it again for the same month changes nothing that ' +
      'was settled (paid activations are skipped, suspended ones are tried again). Exit code 0, ' +
      'or 1 when some activations could not be decided for another reason than a lack of money ' +
      '(they are listed; a later run tries them again).',
    arguments: [['YYYY-MM', 'the month, not after the current one (default: the current UTC month)']],
    environment: [['REDIS_URL', 'the Redis the servers use (required)']],
  },
  parse: parseMonth,
  configure: redisNeeds,
  async execute(month, needs) {
    const { monthlyRun } = await import('./vpn-monthly-run.js');
    return monthlyRun(month, needs);
  },
});
