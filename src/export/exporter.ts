/**
 * The export itself: accounts from an AccountSource, their entries after their cursor read from
 * Redis, written to the kind's files and synced, and only then the cursors stored and what is
 * exported and out of the window trimmed (commit.lua). A crash anywhere before the cursors are
 * stored leaves them where they were: the entries are still in Redis, and the next leader's
 * recovery (recovery.ts) finds those already in a file.
 */
import type { Cluster, Redis } from 'ioredis';
import { decodeLedgerEntry } from '../balance/stored-layout.js';
import type { ChargingRecord, StoredChargingRecord } from '../credit-control/cdr.js';
import type { AccountSource } from './discovery.js';
import type { FileFormat } from './file-names.js';
import type { FileSet } from './file-set.js';
import type { ExportLeader } from './leader.js';
import type { ExportKeys, ExportKind } from './keys.js';
import type { Backlog, ExportMetrics } from './metrics.js';
import { cdrCsvLine, cdrJsonLine, ledgerLine } from './records.js';
import { registerExportScripts } from './scripts.js';

/** Accounts read in one batch, and entries read per account in one batch. */
const ACCOUNTS_PER_BATCH = 100;
const ENTRIES_PER_ACCOUNT = 500;

export interface ExporterOptions {
  redis: Redis | Cluster;
  keys: ExportKeys;
  source: AccountSource;
  files: Record<ExportKind, FileSet>;
  /** The formats of each kind's files. */
  formats: Record<ExportKind, readonly FileFormat[]>;
  leader: ExportLeader;
  /** Exported entries stay in Redis this long. */
  keepSeconds: number;
  metrics?: ExportMetrics | undefined;
  now?: () => number;
}

export interface PassResult {
  records: Record<ExportKind, number>;
  files: string[];
}

type RawEntry = [string, string[]];

export class Exporter {
  private readonly now: () => number;

  constructor(private readonly o: ExporterOptions) {
    this.now = o.now ?? Date.now;
    registerExportScripts(o.redis);
  }

  /**
   * Exports what the source names, batch after batch, until it names nothing or `maxBatches`
   * were done; then closes files that are due and trims accounts whose window has passed.
   */
  async pass(maxBatches = Number.POSITIVE_INFINITY): Promise<PassResult> {
    const result: PassResult = { records: { ledger: 0, cdr: 0 }, files: [] };
    for (const kind of ['ledger', 'cdr'] as const) {
      const swept: Backlog = { accounts: 0, oldestMs: undefined };
      for (let batch = 0; batch < maxBatches; batch++) {
        const accounts = await this.o.source.next(kind, ACCOUNTS_PER_BATCH);
        if (accounts.length === 0) {
          if (this.o.redis.isCluster) this.o.metrics?.sweptBacklog(kind, swept);
          break;
        }
        result.records[kind] += await this.batch(kind, accounts, swept);
        if (this.o.files[kind].due()) result.files.push(...(await this.closeFiles(kind)));
      }
      if (this.o.files[kind].due()) result.files.push(...(await this.closeFiles(kind)));
      if (!this.o.redis.isCluster) await this.trimDue(kind);
    }
    return result;
  }

  /** Closes, compresses and names the open files of a kind (or of every kind). */
  async closeFiles(kind?: ExportKind): Promise<string[]> {
    const kinds: ExportKind[] = kind ? [kind] : ['ledger', 'cdr'];
    const closed: string[] = [];
    for (const k of kinds) {
      const files = await this.o.files[k].close();
      this.o.metrics?.files.inc({ kind: k }, files.length / this.o.formats[k].length);
      closed.push(...files);
    }
    return closed;
  }

  private async batch(kind: ExportKind, accounts: string[], swept: Backlog): Promise<number> {
    const { redis, keys } = this.o;
    const cursors = await Promise.all(accounts.map((m) => redis.hget(keys.cursor(m), kind)));
    const reads = await Promise.all(
      accounts.map((m, i) => {
        const cursor = cursors[i];
        return redis.xrange(
          keys.stream(kind, m),
          cursor ? `(${cursor}` : '-',
          '+',
          'COUNT',
          ENTRIES_PER_ACCOUNT,
        );
      }),
    );
    const lines: Partial<Record<FileFormat, string[]>> = {};
    for (const format of this.o.formats[kind]) lines[format] = [];
    const last: { msisdn: string; id: string }[] = [];
    const drained: string[] = [];
    let count = 0;
    accounts.forEach((msisdn, i) => {
      const entries = reads[i] as RawEntry[];
      if (entries.length < ENTRIES_PER_ACCOUNT) drained.push(msisdn);
      const lastEntry = entries[entries.length - 1];
      if (!lastEntry) return;
      last.push({ msisdn, id: lastEntry[0] });
      const firstMs = Number(entries[0]![0].split('-')[0]);
      swept.accounts++;
      swept.oldestMs = swept.oldestMs === undefined ? firstMs : Math.min(swept.oldestMs, firstMs);
      for (const entry of entries) {
        count++;
        if (kind === 'ledger') {
          lines.jsonl!.push(ledgerLine(msisdn, decodeLedgerEntry(entry)));
          continue;
        }
        const cdr = decodeCdr(entry);
        lines.jsonl?.push(cdrJsonLine(msisdn, cdr));
        lines.csv?.push(cdrCsvLine(msisdn, cdr));
      }
    });
    if (count > 0) {
      await this.o.files[kind].append(lines);
      await this.o.files[kind].sync();
      await this.o.leader.renew();
      // The trim is scheduled before the cursors move: a crash in between leaves a trim that
      // finds nothing to do, never an exported entry that no trim will visit.
      if (!redis.isCluster) {
        const due = last.flatMap(({ msisdn, id }) => [
          Number(id.split('-')[0]) + this.o.keepSeconds * 1000,
          msisdn,
        ]);
        await redis.zadd(keys.trimDue(kind), ...due);
      }
      const keepFrom = this.now() - this.o.keepSeconds * 1000;
      await Promise.all(
        last.map(({ msisdn, id }) =>
          redis.ocsExportCommit(keys.cursor(msisdn), keys.stream(kind, msisdn), kind, id, keepFrom),
        ),
      );
      this.o.metrics?.records.inc({ kind }, count);
    }
    if (redis.isCluster) {
      // A cluster has no schedule of trims: each sweep trims the accounts it finds idle.
      const keepFrom = this.now() - this.o.keepSeconds * 1000;
      const idle = accounts.filter((_, i) => (reads[i] as RawEntry[]).length === 0);
      await Promise.all(
        idle.map((m) => redis.ocsExportCommit(keys.cursor(m), keys.stream(kind, m), kind, '', keepFrom)),
      );
    }
    await this.o.source.finished(kind, drained);
    return count;
  }

  /** Trims the accounts whose exported entries have all left the window since their export. */
  private async trimDue(kind: ExportKind): Promise<void> {
    const { redis, keys } = this.o;
    const now = this.now();
    const keepFrom = now - this.o.keepSeconds * 1000;
    for (;;) {
      const due = await redis.zrangebyscore(keys.trimDue(kind), '-inf', now, 'LIMIT', 0, 500);
      if (due.length === 0) return;
      await Promise.all(
        due.map((m) => redis.ocsExportCommit(keys.cursor(m), keys.stream(kind, m), kind, '', keepFrom)),
      );
      await redis.zrem(keys.trimDue(kind), ...due);
      if (due.length < 500) return;
    }
  }
}

function decodeCdr([id, fields]: RawEntry): StoredChargingRecord {
  const at = fields.indexOf('cdr');
  return { id, ...(JSON.parse(fields[at + 1] ?? '{}') as ChargingRecord) };
}
