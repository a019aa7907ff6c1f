import { scanAccounts } from '../admin/account-scan.js';
import { cdrCsvHeader, cdrCsvLine, cdrJsonLine } from '../admin/cdr-format.js';
import type { AdminContext } from '../admin/context.js';
import { cdrReader, newestFirst } from '../admin/history.js';
import type { StoredChargingRecord } from '../credit-control/cdr.js';

export interface CdrExportOptions {
  /** The accounts to export, or every account (a SCAN of the account keys). */
  accounts: string[] | 'all';
  /** Written at or after (ms). */
  sinceMs?: number | undefined;
  /** Written before (ms). */
  untilMs?: number | undefined;
  format: 'csv' | 'jsonl';
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
export function stdoutWriter(chunk: string): Promise<void> | void {
  if (process.stdout.write(chunk)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}
