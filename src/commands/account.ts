import type { AccountResource } from '../admin/accounts.js';
import type { AdminContext } from '../admin/context.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { UsageError } from './command.js';
import { defineCommand } from './define.js';
import { redisNeeds, type RedisNeeds } from './redis-needs.js';

const STATUS = { block: 'blocked', lost: 'lost', unblock: 'active' } as const;
type Action = 'show' | keyof typeof STATUS;

const ARGS = {
  flags: { json: { type: 'boolean', meaning: "print the account as the admin API's JSON (default: text)" } },
  required: ['ACTION', 'MSISDN'],
} as const satisfies ArgSpec;

export interface AccountArgs {
  action: Action;
  msisdn: string;
  json: boolean;
}

export function parseAccount(args: readonly string[]): AccountArgs {
  const { values, positionals } = readArgs('account', args, ARGS);
  const [action, msisdn] = positionals as [string, string];
  if (action !== 'show' && !(action in STATUS)) {
    throw new UsageError(`ocs account ${action}: not one of show, block, lost, unblock`);
  }
  return { action: action as Action, msisdn, json: values.json ?? false };
}

/** The account as an operator reads it: attributes, one line per bucket, the VPN state. */
export function formatAccount(a: AccountResource): string {
  const lines = [
    `${a.msisdn}  ${a.status}  ${a.prepaid ? 'prepaid' : 'postpaid'}  tariff ${a.tariff} (${a.currency})  ` +
      `valid until ${a.validUntil ?? 'no limit'}  min threshold ${a.minThreshold}`,
  ];
  const width = Math.max(...Object.keys(a.buckets).map((b) => b.length));
  for (const [name, b] of Object.entries(a.buckets)) {
    const period = a.resetPeriods[name] ? `  (reset ${a.resetPeriods[name]})` : '';
    lines.push(
      `  ${name.padEnd(width)}  available ${b.available}  reserved ${b.reserved}  spent ${b.spent}${period}`,
    );
  }
  for (const m of a.vpn.memberships) {
    lines.push(`  vpn: ${m.identity} ${m.group} as ${m.shortNumber} (display ${m.display})`);
  }
  const act = a.vpn.activation;
  if (act) {
    lines.push(
      `  vpn package ${act.package}: ${act.status}, from ${act.activeFrom}, paid through ${act.paidThrough || '-'}` +
        (act.next ? `, switching to ${act.next.package} in ${act.next.from}` : ''),
    );
  }
  return lines.join('\n');
}

async function applyAccount(ctx: AdminContext, a: AccountArgs, print: (text: string) => void) {
  const account =
    a.action === 'show'
      ? await ctx.accounts.show(a.msisdn)
      : await ctx.accounts.update(a.msisdn, { status: STATUS[a.action] });
  print(a.json ? JSON.stringify(account, null, 2) : formatAccount(account));
  return 0;
}

/** `ocs account ...` on an admin context; `print` receives what the command writes. */
export async function runAccount(ctx: AdminContext, args: readonly string[], print: (text: string) => void) {
  return applyAccount(ctx, parseAccount(args), print);
}

export const account = defineCommand<AccountArgs, RedisNeeds>({
  name: 'account',
  usage: 'account show|block|lost|unblock MSISDN',
  summary: 'show an account (--json), block it, report it lost, unblock it (needs REDIS_URL)',
  args: ARGS,
  help: {
    synopsis: ['account show|block|lost|unblock MSISDN [--json]'],
    description:
      'Shows an account (its attributes, buckets and VPN state), or sets its status, on the Redis ' +
      "the servers use and with the admin API's rules: block and lost make its requests refused " +
      '(4010 END_USER_SERVICE_DENIED), unblock makes it active again. It prints the account as it ' +
      'is after the change. A refusal (an unknown account) is printed as the API words it, exit code 1.',
    arguments: [
      ['ACTION', 'show, block, lost or unblock'],
      ['MSISDN', "the account's number"],
    ],
    environment: [['REDIS_URL', 'the Redis the servers use (required)']],
  },
  parse: parseAccount,
  configure: redisNeeds,
  async execute(parsed, needs) {
    const { withAdmin } = await import('./admin-connection.js');
    return withAdmin(needs, 'account', (ctx) => applyAccount(ctx, parsed, (t) => console.log(t)));
  },
});
