/**
 * `ocs export`: everything written until it started, exported once, its files closed, and the
 * lock released. It takes the same lock as `ocs serve`'s exporter, so it refuses to run while an
 * instance exports (there is then nothing for it to do that that instance does not do).
 */
import { exportParts, recoverLeftovers, type ExportDeps } from './service.js';

/** Sweeps of a cluster at most: under load each may find a little more. */
const MAX_SWEEPS = 10;

export class ExportBusyError extends Error {
  constructor(readonly holder: string) {
    super(`another exporter holds the lock (${holder}); it exports already`);
    this.name = 'ExportBusyError';
  }
}

export interface ExportOnceResult {
  records: { ledger: number; cdr: number };
  /** The files written, as their final paths. */
  files: string[];
  /** Files an earlier run left and this one finished. */
  recovered: number;
}

export async function exportOnce(deps: ExportDeps): Promise<ExportOnceResult> {
  const startedAt = (deps.now ?? Date.now)();
  const parts = exportParts(deps, startedAt);
  const { leader, exporter } = parts;
  if (!(await leader.acquire())) throw new ExportBusyError((await leader.holder()) ?? 'gone since');
  const result: ExportOnceResult = { records: { ledger: 0, cdr: 0 }, files: [], recovered: 0 };
  try {
    result.recovered = await recoverLeftovers(deps, parts);
    // One pass drains the pending sets up to the start; a cluster's sweep may miss the tail of
    // an account that was still being written, so it sweeps again until one finds nothing.
    for (let sweeps = 0; ;) {
      const pass = await exporter.pass();
      result.records.ledger += pass.records.ledger;
      result.records.cdr += pass.records.cdr;
      result.files.push(...pass.files);
      if (!deps.redis.isCluster || pass.records.ledger + pass.records.cdr === 0 || ++sweeps >= MAX_SWEEPS)
        break;
    }
    await leader.renew();
    result.files.push(...(await exporter.closeFiles()));
  } finally {
    await Promise.all(Object.values(parts.files).map((f) => f.abandon()));
    await leader.release().catch(() => undefined);
  }
  return result;
}
