/**
 * `ocs audit`: for every account, the balance Redis holds against its whole ledger, the exported
 * files (readExportedLedger) followed by the entries Redis still has after them. Per bucket,
 * available + reserved + spent must equal what the ledger says was put in, and every move must
 * keep that sum (DESIGN §2, Conservation). An account's balance and ledger are read in one
 * transaction (one slot), so that a live server does not make it look wrong.
 */
import type { Cluster, Redis } from 'ioredis';
import { compareStreamIds } from '../admin/history.js';
import { scanAccounts } from '../admin/account-scan.js';
import type { BalanceStore } from '../balance/index.js';
import { decodeAccount, decodeLedgerEntry } from '../balance/stored-layout.js';
import { ExportKeys } from '../export/keys.js';
import { readExportedLedger, type ExportedLedger } from './ledger-files.js';
import { LedgerSums } from './ledger-sums.js';

export interface AccountProblem {
  msisdn: string;
  problems: string[];
}

export interface AuditReport {
  accounts: number;
  files: number;
  duplicates: number;
  /** The accounts that do not add up, each with why. */
  failed: AccountProblem[];
}

/** Times the files are read again for accounts the exporter moved past them during the audit. */
const ROUNDS = 3;

type Snapshot = [Record<string, string>, [string, string[]][], string | null, unknown[] | undefined];

export async function audit(
  redis: Redis | Cluster,
  store: BalanceStore,
  dir: string,
  exportKeys = new ExportKeys(store.keys.prefix),
): Promise<AuditReport> {
  let files = await readExportedLedger(dir);
  const report: AuditReport = { accounts: 0, files: files.files, duplicates: files.duplicates, failed: [] };
  let behind: string[] = [];
  for await (const msisdn of scanAccounts(redis, store)) {
    report.accounts++;
    const outcome = await checkAccount(redis, store, exportKeys, files, msisdn);
    if (outcome === 'behind') behind.push(msisdn);
    else if (outcome.length > 0) report.failed.push({ msisdn, problems: outcome });
  }
  for (let round = 1; round < ROUNDS && behind.length > 0; round++) {
    files = await readExportedLedger(dir);
    const again = behind;
    behind = [];
    for (const msisdn of again) {
      const outcome = await checkAccount(redis, store, exportKeys, files, msisdn);
      if (outcome === 'behind') behind.push(msisdn);
      else if (outcome.length > 0) report.failed.push({ msisdn, problems: outcome });
    }
  }
  for (const msisdn of behind) {
    report.failed.push({
      msisdn,
      problems: [
        'the files read lack entries the exporter wrote, and Redis no longer holds them: is the ' +
          "directory the exporter's, are files moved away?",
      ],
    });
  }
  return report;
}

/** The problems of one account (none: it adds up), or 'behind' when the files read lag its cursor. */
async function checkAccount(
  redis: Redis | Cluster,
  store: BalanceStore,
  exportKeys: ExportKeys,
  files: ExportedLedger,
  msisdn: string,
): Promise<string[] | 'behind'> {
  const k = store.keys.account(msisdn);
  const replies = await redis
    .multi()
    .hgetall(k.account)
    .xrange(k.ledger, '-', '+')
    .hget(exportKeys.cursor(msisdn), 'ledger')
    .xinfo('STREAM', k.ledger)
    .exec();
  if (!replies) throw new Error(`audit: the transaction reading ${msisdn} was not run`);
  const [raw, entries, cursor, info] = replies.map(([err, value], i) => {
    // XINFO of a stream never written fails: an account with no ledger yet.
    if (err && i !== 3) throw err;
    return err ? undefined : value;
  }) as Snapshot;
  const view = decodeAccount(msisdn, raw);
  if (!view) return [];
  const exported = files.accounts.get(msisdn);
  const newestInFiles = exported?.newestId;
  if (cursor && (newestInFiles === undefined || compareStreamIds(cursor, newestInFiles) > 0)) {
    // Exported past the files read: complete only if Redis still holds all after them.
    const first = entries[0]?.[0];
    const neverTrimmed = deletedEntries(info) === 0;
    const holdsRest =
      first !== undefined && newestInFiles !== undefined && compareStreamIds(first, newestInFiles) <= 0;
    if (!neverTrimmed && !holdsRest) return 'behind';
  }
  const sums = exported ? exported.copy() : new LedgerSums();
  for (const raw of entries) {
    if (newestInFiles !== undefined && compareStreamIds(raw[0], newestInFiles) <= 0) continue;
    const e = decodeLedgerEntry(raw);
    sums.add(e.id, e.op, e.deltas);
  }
  const problems: string[] = [];
  for (const m of sums.brokenMoves) {
    problems.push(
      `entry ${m.id} (${m.op}) changes ${m.bucket}'s available + reserved + spent by ${m.change}`,
    );
  }
  const buckets = new Set([...Object.keys(view.buckets), ...Object.keys(sums.putIn)]);
  for (const bucket of [...buckets].sort()) {
    const b = view.buckets[bucket] ?? { available: 0, reserved: 0, spent: 0 };
    const held = b.available + b.reserved + b.spent;
    const putIn = sums.putIn[bucket] ?? 0;
    if (held !== putIn) {
      problems.push(
        `${bucket}: available ${b.available} + reserved ${b.reserved} + spent ${b.spent} = ${held}, ` +
          `but the ledger puts in ${putIn} (${sums.entries} entries)`,
      );
    }
  }
  return problems;
}

/** Entries ever deleted from the stream (XINFO STREAM, Redis 7: entries-added less length). */
function deletedEntries(info: unknown[] | undefined): number | undefined {
  if (!info) return 0;
  const field = (name: string) => {
    const at = info.indexOf(name);
    return at < 0 ? undefined : Number(info[at + 1]);
  };
  const added = field('entries-added');
  const length = field('length');
  return added === undefined || length === undefined ? undefined : added - length;
}
