/**
 * The exported ledger as `ocs audit` reads it: every ledger file of the export directory, closed
 * (`.gz`) or still being written (`.part`, its complete lines), in name order, which is time
 * order. Per account it keeps the sums it needs, not the entries. A record met again (the same
 * id, or an older one of the same account: each account's entries are exported in order) is a
 * duplicate and counts once.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { compareStreamIds } from '../admin/history.js';
import type { BucketDelta } from '../balance/types.js';
import { parseFileName } from '../export/file-names.js';
import { parseRecordId } from '../export/records.js';
import { LedgerSums } from './ledger-sums.js';

export interface ExportedLedger {
  /** Per account, the sums of its exported entries and the newest id among them. */
  accounts: Map<string, LedgerSums>;
  files: number;
  duplicates: number;
}

interface LedgerLine {
  id: string;
  op: string;
  deltas: Record<string, BucketDelta>;
}

export async function readExportedLedger(dir: string): Promise<ExportedLedger> {
  const listed = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error(`${dir}: no such directory (EXPORT_DIR, or --dir)`);
    throw err;
  });
  const names = listed
    .map((name) => ({ name, file: parseFileName(name) }))
    .filter(({ file }) => file?.kind === 'ledger' && file.state !== 'compressing')
    .sort((a, b) => (a.file!.base < b.file!.base ? -1 : a.file!.base > b.file!.base ? 1 : 0));
  const out: ExportedLedger = { accounts: new Map(), files: 0, duplicates: 0 };
  const seen = new Set<string>();
  for (const { name, file } of names) {
    // A .part and the .gz it became may both be there for a moment: read one.
    if (seen.has(file!.base)) continue;
    seen.add(file!.base);
    const raw = await readFile(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined; // compressed and renamed since the listing
      throw err;
    });
    if (!raw) continue;
    const text = file!.state === 'final' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    out.files++;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let entry: LedgerLine;
      try {
        entry = JSON.parse(line) as LedgerLine;
      } catch {
        continue; // the torn last line of a file being written
      }
      const id = parseRecordId(entry.id);
      if (!id) continue;
      let sums = out.accounts.get(id.msisdn);
      if (!sums) out.accounts.set(id.msisdn, (sums = new LedgerSums()));
      if (sums.newestId !== undefined && compareStreamIds(id.streamId, sums.newestId) <= 0) {
        out.duplicates++;
        continue;
      }
      sums.add(id.streamId, entry.op, entry.deltas);
    }
  }
  return out;
}
