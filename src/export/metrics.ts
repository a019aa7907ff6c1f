/**
 * The export's metrics (docs/export.md, "Metrics"). The backlog and the age of the oldest record
 * not exported are read from the pending sets at each scrape, on every instance, exporter or
 * not: they must rise, and the alert fire, when no instance exports at all. A read that fails
 * leaves both out of the scrape and counts in `ocs_metrics_collect_errors_total`, as the other
 * gauges of shared state. In a cluster, which has no pending set, the leader sets them after
 * each sweep.
 */
import { Counter, Gauge } from 'prom-client';
import type { Cluster, Redis } from 'ioredis';
import type { Metrics } from '../metrics/metrics.js';
import { EXPORT_KINDS, type ExportKeys, type ExportKind } from './keys.js';

export interface Backlog {
  /** Accounts with entries not exported. */
  accounts: number;
  /** Time (ms) of the oldest entry not exported, or undefined when there is none. */
  oldestMs: number | undefined;
}

export class ExportMetrics {
  readonly records: Counter<'kind'>;
  readonly files: Counter<'kind'>;
  readonly leader: Gauge;
  private readonly swept = new Map<ExportKind, Backlog>();

  constructor(
    metrics: Pick<Metrics, 'registry' | 'sharedStateGauge'>,
    private readonly redis: Redis | Cluster,
    private readonly keys: ExportKeys,
    private readonly now: () => number = Date.now,
  ) {
    const registry = metrics.registry;
    this.records = new Counter({
      name: 'ocs_export_records_total',
      help: 'Records written to export files and synced, by kind (ledger, cdr)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.files = new Counter({
      name: 'ocs_export_files_total',
      help: 'Export files closed, compressed and renamed to their final name, by kind',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'ocs_export_leader',
      help: '1 while this instance holds the export lock and exports',
      registers: [registry],
    });
    for (const kind of EXPORT_KINDS) {
      this.records.inc({ kind }, 0);
      this.files.inc({ kind }, 0);
    }
    // Both gauges come from one read of the pending sets per scrape.
    let reading: Promise<Record<ExportKind, Backlog> | undefined> | undefined;
    const backlogs = () =>
      (reading ??= this.read().finally(() => {
        reading = undefined;
      }));
    metrics.sharedStateGauge({
      name: 'ocs_export_backlog',
      help: 'Accounts with records not exported yet, by kind',
      labelNames: ['kind'],
      read: async () => {
        const b = await backlogs();
        return b ? EXPORT_KINDS.map((kind) => ({ labels: { kind }, value: b[kind].accounts })) : [];
      },
    });
    metrics.sharedStateGauge({
      name: 'ocs_export_oldest_unexported_age_seconds',
      help: 'Age of the oldest record not exported yet, by kind (0: none waits)',
      labelNames: ['kind'],
      read: async () => {
        const b = await backlogs();
        const at = this.now();
        return b
          ? EXPORT_KINDS.map((kind) => {
              const oldest = b[kind].oldestMs;
              return {
                labels: { kind },
                value: oldest === undefined ? 0 : Math.max(0, (at - oldest) / 1000),
              };
            })
          : [];
      },
    });
  }

  /** A cluster's backlog, as the leader's last sweep found it. */
  sweptBacklog(kind: ExportKind, backlog: Backlog): void {
    this.swept.set(kind, backlog);
  }

  private async read(): Promise<Record<ExportKind, Backlog> | undefined> {
    if (this.redis.isCluster) {
      if (this.swept.size === 0) return undefined;
      const none = { accounts: 0, oldestMs: undefined };
      return { ledger: this.swept.get('ledger') ?? none, cdr: this.swept.get('cdr') ?? none };
    }
    const out = {} as Record<ExportKind, Backlog>;
    await Promise.all(
      EXPORT_KINDS.map(async (kind) => (out[kind] = await pendingBacklog(this.redis, this.keys, kind))),
    );
    return out;
  }
}

/** The backlog of one kind from the pending and claimed sets of one Redis. */
export async function pendingBacklog(
  redis: Redis | Cluster,
  keys: ExportKeys,
  kind: ExportKind,
): Promise<Backlog> {
  const [pending, claimed, firstPending, firstClaimed] = await Promise.all([
    redis.zcard(keys.pending(kind)),
    redis.zcard(keys.claimed(kind)),
    redis.zrange(keys.pending(kind), '0', '0', 'WITHSCORES'),
    redis.zrange(keys.claimed(kind), '0', '0', 'WITHSCORES'),
  ]);
  const scores = [firstPending[1], firstClaimed[1]].filter((s) => s !== undefined).map(Number);
  return { accounts: pending + claimed, oldestMs: scores.length > 0 ? Math.min(...scores) : undefined };
}
