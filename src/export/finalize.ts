/**
 * Closing a file for good: compressed (gzip, node:zlib) to `<name>.gz.part`, synced, renamed to
 * `<name>.gz` and the directory synced, then the `.part` removed. A crash at any step leaves
 * either the `.part` (compressed again at the next start) or the `.gz` (the `.part` then only
 * removed): never a `.gz` that is not whole.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { compressingName, finalName, partName } from './file-names.js';

/** fsync of a directory, so that a name created or renamed in it survives a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Compresses `<base>.part` into `<base>.gz`; resolves with the final file's path. */
export async function finalizeFile(dir: string, base: string): Promise<string> {
  const part = join(dir, partName(base));
  const compressing = join(dir, compressingName(base));
  const final = join(dir, finalName(base));
  await pipeline(createReadStream(part), createGzip(), createWriteStream(compressing));
  const handle = await open(compressing, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(compressing, final);
  await syncDirectory(dir);
  await rm(part);
  return final;
}
