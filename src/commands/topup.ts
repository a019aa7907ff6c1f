import { randomBytes } from 'node:crypto';
import type { AdminContext } from '../admin/context.js';
import { withAdmin } from './admin-connection.js';
import { UsageError, type Command } from './command.js';

const USAGE = 'topup MSISDN AMOUNT [--reference REF]';

/**
 * `ocs topup ...` on an admin context. Without --reference one is made up and printed: running
 * the command again with it tops up nothing more, which is how a retry after a doubt is safe.
 */
export async function runTopup(ctx: AdminContext, args: readonly string[], print: (text: string) => void) {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--reference' || arg === '--bucket') {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags[arg.slice(2)] = value;
    } else if (arg.startsWith('--')) throw new UsageError(`ocs topup: unknown option ${arg}`);
    else positional.push(arg);
  }
  const [msisdn, amountText] = positional;
  if (!msisdn || !amountText || positional.length > 2) {
    throw new UsageError(`ocs ${USAGE} [--bucket BUCKET]`);
  }
  if (!/^\d+$/.test(amountText)) {
    throw new UsageError(`ocs topup: AMOUNT ${amountText}: a whole number of minor units (1000 is 10.00)`);
  }
  const reference =
    flags.reference ??
    `cli-${new Date(ctx.now()).toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
  const result = await ctx.credits.credit('topup', msisdn, {
    amount: Number(amountText),
    reference,
    ...(flags.bucket ? { bucket: flags.bucket } : {}),
  });
  print(
    result.replayed
      ? `reference ${reference} was applied before: nothing topped up now (${result.bucket} available ${result.available} then)`
      : `topped up ${msisdn} by ${result.amount} (reference ${reference}): ${result.bucket} available ${result.available}`,
  );
  return 0;
}

export const topup: Command = {
  name: 'topup',
  usage: USAGE,
  summary: 'top up an account in minor units, once per reference (needs REDIS_URL)',
  run: (args, config) => withAdmin(config, 'topup', (ctx) => runTopup(ctx, args, (t) => console.log(t))),
};
