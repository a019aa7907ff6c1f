/**
 * The exporter as `ocs serve` runs it (EXPORT_ENABLED=true) and as `ocs export` runs it once.
 * Every instance of `ocs serve` tries for the lock each EXPORT_INTERVAL_MS; the one that holds
 * it recovers what a previous leader left, then exports a pass at each interval. After any
 * failure (Redis away, a disk error) it lets its files go and recovers them before the next
 * pass, so that records synced but whose cursors were not stored are not written again.
 */
import { mkdir } from 'node:fs/promises';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logging.js';
import type { ExportConfig } from './config.js';
import { PendingAccounts, ScannedAccounts } from './discovery.js';
import { Exporter, type PassResult } from './exporter.js';
import type { FileFormat } from './file-names.js';
import { FileSet } from './file-set.js';
import { ExportKeys, EXPORT_KINDS, type ExportKind } from './keys.js';
import { ExportLeader, LeadershipLostError } from './leader.js';
import type { ExportMetrics } from './metrics.js';
import { cdrCsvHeader } from './records.js';
import { recoverFiles } from './recovery.js';

/** Batches of one pass in `ocs serve`, so that a large backlog does not hold off rotation and trims. */
const SERVE_BATCHES_PER_PASS = 50;

export interface ExportDeps {
  redis: Redis | Cluster;
  config: ExportConfig;
  keyPrefix?: string;
  metrics?: ExportMetrics | undefined;
  logger: Logger;
  now?: () => number;
}

export interface ExportParts {
  keys: ExportKeys;
  leader: ExportLeader;
  exporter: Exporter;
  files: Record<ExportKind, FileSet>;
}

export function formatsOf(config: ExportConfig): Record<ExportKind, readonly FileFormat[]> {
  const cdr: FileFormat[] = config.cdrFormat === 'both' ? ['jsonl', 'csv'] : [config.cdrFormat];
  return { ledger: ['jsonl'], cdr };
}

export function exportParts(deps: ExportDeps, untilMs?: number): ExportParts {
  const { redis, config } = deps;
  const keys = new ExportKeys(deps.keyPrefix ?? '');
  const formats = formatsOf(config);
  const fileSet = (kind: ExportKind) =>
    new FileSet({
      dir: config.dir,
      kind,
      instance: config.instance,
      formats: formats[kind],
      header: (format) => (format === 'csv' ? cdrCsvHeader() : ''),
      maxBytes: config.fileMaxBytes,
      maxSeconds: config.fileMaxSeconds,
      ...(deps.now ? { now: deps.now } : {}),
    });
  const files = { ledger: fileSet('ledger'), cdr: fileSet('cdr') };
  const leader = new ExportLeader(redis, keys, config.instance, config.lockTtlMs);
  const source = redis.isCluster
    ? new ScannedAccounts(redis, keys)
    : new PendingAccounts(redis, keys, untilMs);
  const exporter = new Exporter({
    redis,
    keys,
    source,
    files,
    formats,
    leader,
    keepSeconds: config.keepSeconds,
    metrics: deps.metrics,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { keys, leader, exporter, files };
}

/**
 * Finishes the files a previous leader left and moves the cursors past the records they hold.
 * Resolves with the number of files finished.
 */
export async function recoverLeftovers(deps: ExportDeps, parts: ExportParts): Promise<number> {
  const { redis, config } = deps;
  await mkdir(config.dir, { recursive: true });
  const { cursors, finalized } = await recoverFiles(config.dir);
  await parts.leader.renew();
  const keepFrom = (deps.now ?? Date.now)() - config.keepSeconds * 1000;
  for (const kind of EXPORT_KINDS) {
    await Promise.all(
      [...cursors[kind]].map(([msisdn, id]) =>
        redis.ocsExportCommit(parts.keys.cursor(msisdn), parts.keys.stream(kind, msisdn), kind, id, keepFrom),
      ),
    );
  }
  return finalized.length;
}

/** The exporter of `ocs serve`: started by start(), stopped (files closed, lock released) by close(). */
export class ExportService {
  private readonly parts: ExportParts;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private needsRecovery = true;

  constructor(private readonly deps: ExportDeps) {
    this.parts = exportParts(deps);
  }

  get leader(): ExportLeader {
    return this.parts.leader;
  }

  start(): void {
    this.schedule(0);
  }

  /** One turn: the lock, then a recovery if one is owed, then a pass. Resolves with the pass, if any. */
  async tick(): Promise<PassResult | undefined> {
    const { leader, exporter } = this.parts;
    const { logger, metrics } = this.deps;
    try {
      const wasLeader = leader.isLeader;
      if (!(await leader.acquire())) {
        if (wasLeader) await this.letGo('the export lock was lost');
        return undefined;
      }
      if (!wasLeader) logger.info({ token: leader.token }, 'export: this instance exports now');
      metrics?.leader.set(1);
      if (this.needsRecovery) {
        const finished = await recoverLeftovers(this.deps, this.parts);
        this.needsRecovery = false;
        if (finished > 0) logger.info({ files: finished }, 'export: files left by an earlier run finished');
      }
      const result = await exporter.pass(SERVE_BATCHES_PER_PASS);
      metrics?.leader.set(leader.isLeader ? 1 : 0);
      return result;
    } catch (err) {
      if (err instanceof LeadershipLostError) await this.letGo(err.message);
      else logger.warn({ err }, 'export pass failed; its files are recovered before the next one');
      await this.abandonFiles();
      return undefined;
    }
  }

  /** Stops exporting: the files closed and compressed, the lock released (when held). */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const { leader, exporter } = this.parts;
    if (!leader.isLeader) return;
    try {
      await leader.renew();
      await exporter.closeFiles();
      await leader.release();
    } catch (err) {
      this.deps.logger.warn({ err }, 'export: files left open at shutdown; the next leader finishes them');
      await this.abandonFiles();
    }
    this.deps.metrics?.leader.set(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then(() => {
        this.running = undefined;
        this.schedule(this.deps.config.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async letGo(reason: string): Promise<void> {
    this.deps.logger.warn({ reason }, 'export: stopped exporting');
    this.deps.metrics?.leader.set(0);
    await this.abandonFiles();
  }

  private async abandonFiles(): Promise<void> {
    this.needsRecovery = true;
    await Promise.all(Object.values(this.parts.files).map((f) => f.abandon()));
  }
}
