/**
 * A histogram of series reads out exactly as prom-client's Histogram of the same name, labels
 * and buckets that saw the same observations: the text a scrape gets, and the JSON.
 */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesHistogram } from '../../../src/metrics/histogram-series.js';

const options = {
  name: 'request_duration_seconds',
  help: 'Time to answer',
  labelNames: ['command', 'request_type'] as const,
  buckets: [0.0001, 0.0005, 0.001, 0.005, 0.1],
};
const observations: [{ command: string; request_type: string }, number][] = [
  [{ command: 'CC', request_type: 'UPDATE' }, 0.0003],
  [{ command: 'CC', request_type: 'UPDATE' }, 0.0005],
  [{ command: 'CC', request_type: 'UPDATE' }, 2],
  [{ command: 'CC', request_type: 'INITIAL' }, 0.00005],
  [{ command: 'DW', request_type: '' }, 0.004],
  [{ command: 'CC', request_type: 'UPDATE' }, 0.0012],
];

async function both() {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ ...options, labelNames: [...options.labelNames], registers: [theirs] });
  const histogram = new SeriesHistogram({ ...options, registers: [ours] });
  const series = new Map<string, ReturnType<typeof histogram.series>>();
  for (const [labels, value] of observations) {
    reference.observe(labels, value);
    const key = `${labels.command}|${labels.request_type}`;
    if (!series.has(key)) series.set(key, histogram.series(labels));
    series.get(key)!.observe(value);
  }
  histogram.series({ command: 'CC', request_type: 'EVENT' });
  return { theirs, ours };
}

describe('SeriesHistogram', () => {
  it('is scraped as the same text as prom-client writes', async () => {
    const { theirs, ours } = await both();
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain(
      'request_duration_seconds_bucket{le="0.001",command="CC",request_type="UPDATE"} 2',
    );
    expect(text).toContain('request_duration_seconds_count{command="CC",request_type="UPDATE"} 4');
  });

  it('gives the same JSON, exemplars aside, and is empty again after a reset', async () => {
    const { theirs, ours } = await both();
    const withoutExemplars = async (r: Registry) =>
      (await r.getMetricsAsJSON()).map((m) => ({
        ...m,
        values: m.values.map((v) => ({
          labels: v.labels,
          value: v.value,
          metricName: (v as { metricName?: string }).metricName,
        })),
      }));
    expect(await withoutExemplars(ours)).toEqual(await withoutExemplars(theirs));
    ours.resetMetrics();
    expect((await ours.getMetricsAsJSON())[0]!.values).toEqual([]);
  });
});
