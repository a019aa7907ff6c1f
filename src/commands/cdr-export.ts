import { scanAccounts } from '../admin/account-scan.js';
import { cdrCsvHeader, cdrCsvLine, cdrJsonLine } from '../admin/cdr-format.js';
import type { AdminContext } from '../admin/context.js';
import { cdrReader, newestFirst } from '../admin/history.js';
import type { StoredChargingRecord } from '../credit-control/cdr.js';
import { withAdmin } from './admin-connection.js';
import { UsageError, type Command } from './command.js';

const USAGE = 'cdr export --msisdn M|--all [options]';
const FULL_USAGE = `ocs cdr export (--msisdn MSISDN ... | --all) [--since TIME] [--until TIME] [--format csv|jsonl]

Writes the CDRs of the accounts named (or of every account) to stdout, account by account and
oldest first within each: CSV (RFC 4180) by default, or JSON lines. TIME is ISO 8601 (a date alone
is its midnight UTC); a CDR counts by when it was written, --since included, --until excluded.
  ocs cdr export --all --since 2026-03-01 --until 2026-04-01 > march.csv`;

export interface CdrExportOptions {
  /** The accounts to export, or every account (a SCAN of the account keys). */
  accounts: string[] | 'all';
  /** Written at or after (ms). */
  sinceMs?: number | undefined;
  /** Written before (ms). */
  untilMs?: number | undefined;
  format: 'csv' | 'jsonl';
}

/** An ISO 8601 time; a date alone is its midnight UTC. */
export function parseTime(flag: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? Date.parse(`${value}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? Date.parse(value)
      : NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      `${flag} ${value}: an ISO 8601 date or time, e.g. 2026-03-01 or 2026-03-01T08:00:00Z`,
    );
  return ms;
}

export function parseCdrExport(args: readonly string[]): CdrExportOptions {
  const [sub, ...rest] = args;
  if (sub !== 'export') throw new UsageError(FULL_USAGE);
  const accounts: string[] = [];
  let all = false;
  const options: CdrExportOptions = { accounts, format: 'csv' };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === '--all') {
      all = true;
      continue;
    }
    const value = rest[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--msisdn') {
      if (!/^\d{5,15}$/.test(value)) throw new UsageError(`--msisdn ${value}: 5 to 15 digits`);
      accounts.push(value);
    } else if (flag === '--since') options.sinceMs = parseTime(flag, value);
    else if (flag === '--until') options.untilMs = parseTime(flag, value);
    else if (flag === '--format') {
      if (value !== 'csv' && value !== 'jsonl') throw new UsageError(`--format ${value}: csv or jsonl`);
      options.format = value;
    } else throw new UsageError(`ocs cdr export: unknown option ${flag}`);
  }
  if (all === accounts.length > 0) {
    throw new UsageError('ocs cdr export: name the accounts with --msisdn, or export them all with --all');
  }
  if (all) options.accounts = 'all';
  if (options.sinceMs !== undefined && options.untilMs !== undefined && options.untilMs <= options.sinceMs) {
    throw new UsageError('ocs cdr export: --until must be after --since');
  }
  return options;
}

/** Every CDR of the account in the range, oldest first (an account's stream is capped in length). */
async function cdrsOf(
  ctx: AdminContext,
  msisdn: string,
  o: CdrExportOptions,
): Promise<StoredChargingRecord[]> {
  const out: StoredChargingRecord[] = [];
  const toMs = o.untilMs === undefined ? undefined : o.untilMs - 1;
  let before: string | undefined;
  do {
    const page = await newestFirst(cdrReader(ctx.cdrs, msisdn), {
      limit: 1000,
      fromMs: o.sinceMs,
      toMs,
      before,
    });
    out.push(...page.items);
    before = page.next ?? undefined;
  } while (before);
  return out.reverse();
}

/** Writes the CDRs, account by account, oldest first within each; resolves with the counts. */
export async function exportCdrs(
  ctx: AdminContext,
  options: CdrExportOptions,
  write: (chunk: string) => Promise<void> | void,
): Promise<{ accounts: number; records: number }> {
  const accounts = options.accounts === 'all' ? scanAccounts(ctx.redis, ctx.store) : options.accounts;
  if (options.format === 'csv') await write(cdrCsvHeader());
  let count = 0;
  let records = 0;
  for await (const msisdn of accounts) {
    count++;
    for (const cdr of await cdrsOf(ctx, msisdn, options)) {
      await write(options.format === 'csv' ? cdrCsvLine(cdr) : cdrJsonLine(cdr));
      records++;
    }
  }
  return { accounts: count, records };
}

/** Writes to stdout, waiting when its buffer is full. */
function stdoutWriter(chunk: string): Promise<void> | void {
  if (process.stdout.write(chunk)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export const cdrExport: Command = {
  name: 'cdr',
  usage: USAGE,
  summary: 'CDRs to stdout as CSV or JSON lines, --since/--until (ocs cdr export --help)',
  async run(args, config) {
    if (args.includes('--help')) {
      console.log(FULL_USAGE);
      return 0;
    }
    const options = parseCdrExport(args);
    return withAdmin(config, 'cdr export', async (ctx) => {
      const { accounts, records } = await exportCdrs(ctx, options, stdoutWriter);
      console.error(`ocs cdr export: ${records} CDRs of ${accounts} accounts`);
      return 0;
    });
  },
};
