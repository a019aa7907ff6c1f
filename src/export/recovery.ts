/**
 * What a new leader does first with the files a previous one left (a crash, a SIGKILL, a lost
 * lock): a `.gz.part` is a compression cut short and goes; a `.part` whose `.gz` exists was
 * finished and goes; any other `.part` holds records that were synced, perhaps without their
 * cursor being stored (a crash between the two). Its torn last line, if any, is cut off, the
 * cursors are moved past what it holds, so that those records are not written again, and it is
 * compressed like any closed file. The exporter then never writes a record twice after a crash
 * of the process; after a crash of the machine, see docs/export.md ("Duplicates").
 */
import { readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { compareStreamIds } from '../admin/history.js';
import { finalizeFile } from './finalize.js';
import { finalName, parseFileName, partName, type FileName } from './file-names.js';
import type { ExportKind } from './keys.js';
import { idOfLine, parseRecordId } from './records.js';

/** Per kind and account, the newest stream id the recovered files hold (in every format of a set). */
export type RecoveredCursors = Record<ExportKind, Map<string, string>>;

export interface Recovery {
  cursors: RecoveredCursors;
  /** The files compressed. */
  finalized: string[];
}

/** The complete lines of an open file, its torn tail cut off the file itself. */
async function completeLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end).split('\n').slice(0, -1);
}

/** Newest stream id per account in the lines of one file. */
function newestPerAccount(lines: string[], format: FileName['format']): Map<string, string> {
  const newest = new Map<string, string>();
  for (const line of lines) {
    const id = idOfLine(line, format);
    const parsed = id === undefined ? undefined : parseRecordId(id);
    if (!parsed) continue;
    const seen = newest.get(parsed.msisdn);
    if (seen === undefined || compareStreamIds(parsed.streamId, seen) > 0)
      newest.set(parsed.msisdn, parsed.streamId);
  }
  return newest;
}

/** An account counts as written up to the oldest of what each format of the set holds for it. */
function intersect(perFormat: Map<string, string>[]): Map<string, string> {
  const [first, ...rest] = perFormat;
  const out = new Map<string, string>();
  if (!first) return out;
  for (const [msisdn, id] of first) {
    let upTo: string | undefined = id;
    for (const other of rest) {
      const o = other.get(msisdn);
      upTo = o === undefined ? undefined : compareStreamIds(o, upTo!) < 0 ? o : upTo;
      if (upTo === undefined) break;
    }
    if (upTo !== undefined) out.set(msisdn, upTo);
  }
  return out;
}

export async function recoverFiles(dir: string): Promise<Recovery> {
  const names = await readdir(dir);
  const present = new Set(names);
  const cursors: RecoveredCursors = { ledger: new Map(), cdr: new Map() };
  const sets = new Map<string, FileName[]>();
  for (const name of names) {
    const file = parseFileName(name);
    if (!file || file.state === 'final') continue;
    if (file.state === 'compressing' || present.has(finalName(file.base))) {
      await rm(join(dir, name), { force: true });
      continue;
    }
    const set = sets.get(file.stem) ?? [];
    set.push(file);
    sets.set(file.stem, set);
  }
  const finalized: string[] = [];
  for (const files of sets.values()) {
    const perFormat: Map<string, string>[] = [];
    for (const file of files) {
      perFormat.push(newestPerAccount(await completeLines(join(dir, partName(file.base))), file.format));
    }
    const kind = files[0]!.kind;
    for (const [msisdn, id] of intersect(perFormat)) {
      const seen = cursors[kind].get(msisdn);
      if (seen === undefined || compareStreamIds(id, seen) > 0) cursors[kind].set(msisdn, id);
    }
    if (perFormat.every((m) => m.size === 0)) {
      for (const file of files) await rm(join(dir, partName(file.base)), { force: true });
      continue;
    }
    for (const file of files) finalized.push(await finalizeFile(dir, file.base));
  }
  return { cursors, finalized };
}
