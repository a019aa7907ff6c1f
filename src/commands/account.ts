import type { AccountResource } from '../admin/accounts.js';
import type { AdminContext } from '../admin/context.js';
import { withAdmin } from './admin-connection.js';
import { UsageError, type Command } from './command.js';

const STATUS = { block: 'blocked', lost: 'lost', unblock: 'active' } as const;
const USAGE = 'account show|block|lost|unblock MSISDN';

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

/** `ocs account ...` on an admin context; `print` receives what the command writes. */
export async function runAccount(ctx: AdminContext, args: readonly string[], print: (text: string) => void) {
  const json = args.includes('--json');
  const [action, msisdn, ...rest] = args.filter((a) => a !== '--json');
  if (!action || !msisdn || rest.length > 0) throw new UsageError(`ocs ${USAGE} [--json]`);
  let account: AccountResource;
  if (action === 'show') account = await ctx.accounts.show(msisdn);
  else if (action in STATUS) {
    account = await ctx.accounts.update(msisdn, { status: STATUS[action as keyof typeof STATUS] });
  } else throw new UsageError(`ocs account ${action}: not one of show, block, lost, unblock`);
  print(json ? JSON.stringify(account, null, 2) : formatAccount(account));
  return 0;
}

export const account: Command = {
  name: 'account',
  usage: USAGE,
  summary: 'show an account (--json), block it, report it lost, unblock it (needs REDIS_URL)',
  run: (args, config) => withAdmin(config, 'account', (ctx) => runAccount(ctx, args, (t) => console.log(t))),
};
