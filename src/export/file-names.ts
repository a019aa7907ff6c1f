/**
 * Names of the exported files: `<kind>-<YYYYMMDDTHHMMSSZ>-<instance>-<seq>.<format>.gz`, the
 * time the file was opened (UTC), so that names sort by time; the instance and a sequence make
 * them unique across instances and within a second. A file is written as `<name>.part` and
 * compressed to `<name>.gz.part`, then renamed: a name without `.part` is complete.
 */
import type { ExportKind } from './keys.js';

export type FileFormat = 'jsonl' | 'csv';

export interface FileName {
  kind: ExportKind;
  /** The name without `.part` or `.gz`: `cdr-20261206T113000Z-ocs-1-000001.jsonl`. */
  base: string;
  format: FileFormat;
  /** The name of the set of formats opened together (`base` without the format). */
  stem: string;
}

const PATTERN = /^(ledger|cdr)-(\d{8}T\d{6}Z)-([A-Za-z0-9._]+)-(\d{6,})\.(jsonl|csv)$/;

export function stemOf(kind: ExportKind, openedAtMs: number, instance: string, seq: number): string {
  const time = new Date(openedAtMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${kind}-${time}-${instance}-${String(seq).padStart(6, '0')}`;
}

export const partName = (base: string) => `${base}.part`;
export const finalName = (base: string) => `${base}.gz`;
export const compressingName = (base: string) => `${base}.gz.part`;

/** A file of the export from its name as it lies in the directory, with what state it is in. */
export function parseFileName(
  name: string,
): (FileName & { state: 'open' | 'compressing' | 'final' }) | undefined {
  let base = name;
  let state: 'open' | 'compressing' | 'final';
  if (name.endsWith('.gz.part')) {
    base = name.slice(0, -'.gz.part'.length);
    state = 'compressing';
  } else if (name.endsWith('.part')) {
    base = name.slice(0, -'.part'.length);
    state = 'open';
  } else if (name.endsWith('.gz')) {
    base = name.slice(0, -'.gz'.length);
    state = 'final';
  } else {
    return undefined;
  }
  const m = PATTERN.exec(base);
  if (!m) return undefined;
  const format = m[5] as FileFormat;
  return { kind: m[1] as ExportKind, base, format, stem: base.slice(0, -(format.length + 1)), state };
}
