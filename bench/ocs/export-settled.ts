import type { Redis as RedisClient } from 'ioredis';
import { EXPORT_KINDS, ExportKeys } from '../../src/export/keys.js';
import { EXPORT } from './settings.js';
import { sleep } from './sleep.js';

/** Longest wait for the exporter: past it the next phase runs anyway, and the line says so. */
const MAX_WAIT_MS = 180_000;

/**
 * Waits until the server's exporter has written every record of the phase before and trimmed
 * what left its window, so that the next phase measures its own work and not that catch-up
 * (the trims of the records of the last 30 s fall due 30 s after them). Returns a line to print.
 */
export async function exportSettled(redis: RedisClient, after: string): Promise<string | undefined> {
  if (!EXPORT) return undefined;
  const keys = new ExportKeys();
  const started = Date.now();
  for (;;) {
    const sizes = await Promise.all(
      EXPORT_KINDS.flatMap((kind) => [keys.pending(kind), keys.claimed(kind), keys.trimDue(kind)]).map(
        (key) => redis.zcard(key),
      ),
    );
    const waiting = sizes.reduce((a, b) => a + b, 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (waiting === 0)
      return `  exporter: every record of ${after} in files and trimmed ${seconds} s after it`;
    if (Date.now() - started > MAX_WAIT_MS)
      return `  exporter: ${waiting} accounts still to export or trim ${seconds} s after ${after}; going on`;
    await sleep(500);
  }
}
