/**
 * The open files of one kind of record: one per format (CDRs may be written as JSON lines and
 * CSV at once), opened together on the first record, appended to, synced, and closed together
 * (finalize.ts) once they reach EXPORT_FILE_MAX_BYTES or EXPORT_FILE_MAX_SECONDS.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { finalizeFile, syncDirectory } from './finalize.js';
import { partName, stemOf, type FileFormat } from './file-names.js';
import type { ExportKind } from './keys.js';

export interface FileSetOptions {
  dir: string;
  kind: ExportKind;
  instance: string;
  formats: readonly FileFormat[];
  /** The first line of a new file of this format (the CSV header), if any. */
  header?: (format: FileFormat) => string;
  maxBytes: number;
  maxSeconds: number;
  now?: () => number;
}

interface OpenFile {
  format: FileFormat;
  base: string;
  handle: FileHandle;
  bytes: number;
}

/** A sequence per process, so that two sets opened within one second get different names. */
let sequence = 0;

export class FileSet {
  private files: OpenFile[] = [];
  private openedAt = 0;
  private readonly now: () => number;

  constructor(private readonly o: FileSetOptions) {
    this.now = o.now ?? Date.now;
  }

  get isOpen(): boolean {
    return this.files.length > 0;
  }

  /** Appends lines (each ending in a newline), per format; not durable until sync(). */
  async append(lines: Record<FileFormat, string[]> | Partial<Record<FileFormat, string[]>>): Promise<void> {
    if (!this.isOpen) await this.openSet();
    for (const file of this.files) {
      const text = (lines[file.format] ?? []).join('');
      if (text === '') continue;
      const buffer = Buffer.from(text);
      let written = 0;
      while (written < buffer.length) {
        written += (await file.handle.write(buffer, written)).bytesWritten;
      }
      file.bytes += buffer.length;
    }
  }

  /** fdatasync of every open file: what was appended survives a crash from here on. */
  async sync(): Promise<void> {
    await Promise.all(this.files.map((f) => f.handle.datasync()));
  }

  /** Whether the files should be closed now (after a sync, before more records). */
  due(): boolean {
    if (!this.isOpen) return false;
    return (
      this.files.some((f) => f.bytes >= this.o.maxBytes) ||
      this.now() - this.openedAt >= this.o.maxSeconds * 1000
    );
  }

  /** Syncs, closes and compresses the open files; resolves with the paths of the final files. */
  async close(): Promise<string[]> {
    if (!this.isOpen) return [];
    const files = this.files;
    this.files = [];
    await Promise.all(files.map((f) => f.handle.datasync()));
    await Promise.all(files.map((f) => f.handle.close()));
    const done: string[] = [];
    for (const f of files) done.push(await finalizeFile(this.o.dir, f.base));
    return done;
  }

  /**
   * Lets the files go without compressing them, as after a lost leadership: the next leader
   * finds them as `.part` files and recovers them (recovery.ts).
   */
  async abandon(): Promise<void> {
    const files = this.files;
    this.files = [];
    await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
  }

  private async openSet(): Promise<void> {
    const openedAt = this.now();
    for (;;) {
      const stem = stemOf(this.o.kind, openedAt, this.o.instance, ++sequence);
      const opened: OpenFile[] = [];
      try {
        for (const format of this.o.formats) {
          const base = `${stem}.${format}`;
          // 'wx': a name that exists (a restart within the same second) is never written over.
          const handle = await open(join(this.o.dir, partName(base)), 'wx');
          opened.push({ format, base, handle, bytes: 0 });
        }
      } catch (err) {
        await Promise.all(opened.map((f) => f.handle.close()));
        await Promise.all(opened.map((f) => rm(join(this.o.dir, partName(f.base)), { force: true })));
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      await syncDirectory(this.o.dir);
      this.files = opened;
      this.openedAt = openedAt;
      for (const file of opened) {
        const header = this.o.header?.(file.format);
        if (header) await this.append({ [file.format]: [header] });
      }
      return;
    }
  }
}
