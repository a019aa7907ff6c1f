/**
 * The export's backlog gauges on a real Redis: read from the pending and claimed sets at each
 * scrape, and, when Redis cannot give them, left out of the scrape and counted in
 * `ocs_metrics_collect_errors_total` rather than reported as 0 (no backlog).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { ExportKeys } from '../../../src/export/keys.js';
import { ExportMetrics } from '../../../src/export/metrics.js';
import { Metrics } from '../../../src/metrics/metrics.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

const NOW = Date.UTC(2026, 2, 1, 8);
const keys = new ExportKeys(`t-expm-${randomUUID().slice(0, 8)}:`);
afterEach(async () => {
  const leftovers = await redis.keys(`${keys.prefix}*`);
  if (leftovers.length) await redis.del(...leftovers);
});

async function scrape(metrics: Metrics): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const family of await metrics.registry.getMetricsAsJSON()) {
    for (const v of family.values) {
      const labels = Object.entries(v.labels)
        .map(([k, l]) => `${k}=${String(l)}`)
        .join(',');
      values.set(`${family.name}{${labels}}`, v.value);
    }
  }
  return values;
}

describe('the export backlog gauges', () => {
  it('report the accounts waiting and the age of the oldest record, by kind', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    new ExportMetrics(metrics, redis, keys, () => NOW);
    const idle = await scrape(metrics);
    expect(idle.get('ocs_export_backlog{kind=cdr}')).toBe(0);
    expect(idle.get('ocs_export_oldest_unexported_age_seconds{kind=ledger}')).toBe(0);
    await redis.zadd(keys.pending('cdr'), NOW - 120_000, '8613800000001', NOW - 5_000, '8613800000002');
    await redis.zadd(keys.claimed('cdr'), NOW - 300_000, '8613800000003');
    await redis.zadd(keys.pending('ledger'), NOW - 1_500, '8613800000001');
    const values = await scrape(metrics);
    expect(values.get('ocs_export_backlog{kind=cdr}')).toBe(3);
    expect(values.get('ocs_export_oldest_unexported_age_seconds{kind=cdr}')).toBe(300);
    expect(values.get('ocs_export_backlog{kind=ledger}')).toBe(1);
    expect(values.get('ocs_export_oldest_unexported_age_seconds{kind=ledger}')).toBe(1.5);
  });

  it('are left out and counted as collect errors when Redis cannot give them', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    new ExportMetrics(metrics, redis, keys, () => NOW);
    const errors = (values: Map<string, number>, metric: string) =>
      values.get(`ocs_metrics_collect_errors_total{metric=${metric}}`);
    const before = await scrape(metrics);
    expect(errors(before, 'ocs_export_backlog')).toBe(0);
    expect(errors(before, 'ocs_export_oldest_unexported_age_seconds')).toBe(0);

    // A key of the wrong type: every read of it fails with WRONGTYPE.
    await redis.set(keys.pending('ledger'), 'not a sorted set');
    const broken = await scrape(metrics);
    expect([...broken.keys()].filter((k) => k.startsWith('ocs_export_backlog'))).toEqual([]);
    expect([...broken.keys()].filter((k) => k.startsWith('ocs_export_oldest'))).toEqual([]);
    expect(errors(broken, 'ocs_export_backlog')).toBe(1);
    expect(errors(broken, 'ocs_export_oldest_unexported_age_seconds')).toBe(1);

    await redis.del(keys.pending('ledger'));
    const again = await scrape(metrics);
    expect(again.get('ocs_export_oldest_unexported_age_seconds{kind=ledger}')).toBe(0);
    expect(errors(again, 'ocs_export_backlog')).toBe(1);
  });
});
