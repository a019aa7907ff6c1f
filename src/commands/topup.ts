import { randomBytes } from 'node:crypto';
import type { AdminContext } from '../admin/context.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { UsageError } from './command.js';
import { defineCommand } from './define.js';
import { redisNeeds, type RedisNeeds } from './redis-needs.js';

const ARGS = {
  flags: {
    reference: {
      type: 'string',
      value: 'REF',
      meaning: 'the top-up happens once per reference (default: one made up, printed)',
    },
    bucket: { type: 'string', value: 'BUCKET', meaning: 'the bucket to credit (default money)' },
  },
  required: ['MSISDN', 'AMOUNT'],
} as const satisfies ArgSpec;

export interface TopupArgs {
  msisdn: string;
  amount: number;
  reference?: string | undefined;
  bucket?: string | undefined;
}

export function parseTopup(args: readonly string[]): TopupArgs {
  const { values, positionals } = readArgs('topup', args, ARGS);
  const [msisdn, amount] = positionals as [string, string];
  if (!/^\d+$/.test(amount)) {
    throw new UsageError(`ocs topup: AMOUNT ${amount}: a whole number of minor units (1000 is 10.00)`);
  }
  return { msisdn, amount: Number(amount), reference: values.reference, bucket: values.bucket };
}

/**
 * Without a reference one is made up and printed: running the command again with it tops up
 * nothing more, which is how a retry after a doubt is safe.
 */
async function applyTopup(ctx: AdminContext, t: TopupArgs, print: (text: string) => void) {
  const reference =
    t.reference ?? `cli-${new Date(ctx.now()).toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
  const result = await ctx.credits.credit('topup', t.msisdn, {
    amount: t.amount,
    reference,
    ...(t.bucket ? { bucket: t.bucket } : {}),
  });
  print(
    result.replayed
      ? `reference ${reference} was applied before: nothing topped up now (${result.bucket} available ${result.available} then)`
      : `topped up ${t.msisdn} by ${result.amount} (reference ${reference}): ${result.bucket} available ${result.available}`,
  );
  return 0;
}

/** `ocs topup ...` on an admin context; `print` receives what the command writes. */
export async function runTopup(ctx: AdminContext, args: readonly string[], print: (text: string) => void) {
  return applyTopup(ctx, parseTopup(args), print);
}

export const topup = defineCommand<TopupArgs, RedisNeeds>({
  name: 'topup',
  usage: 'topup MSISDN AMOUNT [--reference REF]',
  summary: 'top up an account in minor units, once per reference (needs REDIS_URL)',
  args: ARGS,
  help: {
    synopsis: ['topup MSISDN AMOUNT [--reference REF] [--bucket BUCKET]'],
    description:
      "Credits an account on the Redis the servers use, with the admin API's rules. The reference " +
      'makes it safe to run again: a second top-up with the same reference and amount changes ' +
      'nothing, and one with the same reference and another amount is refused (exit code 1). ' +
      'Without --reference one is made up and printed, to run again with it after a doubt.',
    arguments: [
      ['MSISDN', "the account's number"],
      ['AMOUNT', 'a whole number of minor units (1000 is 10.00), or of seconds for a free-seconds bucket'],
    ],
    environment: [['REDIS_URL', 'the Redis the servers use (required)']],
    examples: ['ocs topup 8613800000001 5000 --reference voucher-20260315-0001'],
  },
  parse: parseTopup,
  configure: redisNeeds,
  async execute(parsed, needs) {
    const { withAdmin } = await import('./admin-connection.js');
    return withAdmin(needs, 'topup', (ctx) => applyTopup(ctx, parsed, (t) => console.log(t)));
  },
});
