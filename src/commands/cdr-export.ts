import { readArgs, type ArgSpec } from './arguments.js';
import type { CdrExportOptions } from './cdr-records.js';
import { UsageError } from './command.js';
import { defineCommand } from './define.js';
import { redisNeeds, type RedisNeeds } from './redis-needs.js';

const FORMATS = ['csv', 'jsonl'] as const;

const ARGS = {
  flags: {
    msisdn: {
      type: 'string',
      multiple: true,
      value: 'MSISDN',
      meaning: 'an account to export; given again, more accounts',
    },
    all: { type: 'boolean', meaning: 'every account instead' },
    since: { type: 'string', value: 'TIME', meaning: 'CDRs written at or after TIME (default: the oldest)' },
    until: { type: 'string', value: 'TIME', meaning: 'CDRs written before TIME (default: the newest)' },
    format: {
      type: 'string',
      value: 'FORMAT',
      meaning: 'csv (RFC 4180) or jsonl, one JSON object a line (default csv)',
    },
  },
  required: ['ACTION'],
} as const satisfies ArgSpec;

/** An ISO 8601 time; a date alone is its midnight UTC. */
export function parseTime(flag: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? Date.parse(`${value}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? Date.parse(value)
      : NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      `ocs cdr export: ${flag} ${value}: an ISO 8601 date or time, e.g. 2026-03-01 or 2026-03-01T08:00:00Z`,
    );
  return ms;
}

/** The arguments after `ocs cdr`, `export` first. */
export function parseCdrExport(args: readonly string[]): CdrExportOptions {
  const { values, positionals } = readArgs('cdr', args, ARGS);
  if (positionals[0] !== 'export') {
    throw new UsageError(`ocs cdr ${positionals[0]}: not a cdr action; the one there is is export`);
  }
  const accounts = values.msisdn ?? [];
  for (const msisdn of accounts) {
    if (!/^\d{5,15}$/.test(msisdn))
      throw new UsageError(`ocs cdr export: --msisdn ${msisdn}: 5 to 15 digits`);
  }
  const all = values.all ?? false;
  if (all === accounts.length > 0) {
    throw new UsageError('ocs cdr export: name the accounts with --msisdn, or export them all with --all');
  }
  const format = values.format ?? 'csv';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`ocs cdr export: --format ${format}: the formats are ${FORMATS.join(' and ')}`);
  }
  const options: CdrExportOptions = {
    accounts: all ? 'all' : accounts,
    format: format as CdrExportOptions['format'],
  };
  if (values.since !== undefined) options.sinceMs = parseTime('--since', values.since);
  if (values.until !== undefined) options.untilMs = parseTime('--until', values.until);
  if (options.sinceMs !== undefined && options.untilMs !== undefined && options.untilMs <= options.sinceMs) {
    throw new UsageError('ocs cdr export: --until must be after --since');
  }
  return options;
}

export const cdrExport = defineCommand<CdrExportOptions, RedisNeeds>({
  name: 'cdr',
  usage: 'cdr export --msisdn M|--all [options]',
  summary: 'CDRs to stdout as CSV or JSON lines, --since/--until (ocs cdr export --help)',
  args: ARGS,
  help: {
    synopsis: ['cdr export (--msisdn MSISDN ... | --all) [--since TIME] [--until TIME] [--format csv|jsonl]'],
    description:
      'Writes the CDRs of the accounts named (or of every account) to stdout, account by account ' +
      'and oldest first within each: CSV (RFC 4180) by default, or JSON lines; the counts go to ' +
      'stderr. TIME is ISO 8601 (a date alone is its midnight UTC); a CDR counts by when it was ' +
      'written, --since included, --until excluded.',
    arguments: [['ACTION', 'export, the one there is']],
    environment: [['REDIS_URL', 'the Redis the servers use (required)']],
    examples: ['ocs cdr export --all --since 2026-03-01 --until 2026-04-01 > march.csv'],
  },
  parse: parseCdrExport,
  configure: redisNeeds,
  async execute(options, needs) {
    const [{ withAdmin }, { exportCdrs, stdoutWriter }] = await Promise.all([
      import('./admin-connection.js'),
      import('./cdr-records.js'),
    ]);
    return withAdmin(needs, 'cdr export', async (ctx) => {
      const { accounts, records } = await exportCdrs(ctx, options, stdoutWriter);
      console.error(`ocs cdr export: ${records} CDRs of ${accounts} accounts`);
      return 0;
    });
  },
});
