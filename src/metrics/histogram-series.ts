/**
 * A histogram observed on the hot path without prom-client's per-call label lookup (its
 * `observe(labels, v)` validates the labels and builds their key on every call, about half a
 * microsecond). Like counter-series.ts, a series is made once per set of label values and
 * counts in plain numbers; unlike a counter, prom-client's Histogram takes no bucket counts
 * from outside, so this metric registers itself and reads out, at a scrape, the same values a
 * prom-client Histogram of the same name, labels and buckets would.
 */
import type { LabelValues, Metric, Registry } from 'prom-client';

interface Value {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** What a metric gives the registry to write. */
interface Exported {
  name: string;
  help: string;
  type: 'histogram';
  values: Value[];
  aggregator: 'sum';
}

export interface HistogramSeriesOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Upper bounds, ascending; +Inf is added. */
  buckets: readonly number[];
  registers: Registry[];
}

export class HistogramSeries<L extends string> {
  /** Observations per bucket (not cumulative), the last one above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: LabelValues<L>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class SeriesHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly labelNames: readonly L[];
  private readonly bounds: readonly number[];
  private all: HistogramSeries<L>[] = [];

  constructor(options: HistogramSeriesOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = [...options.buckets];
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** A new series for these label values: call it once per set and keep it. */
  series(labels: LabelValues<L>): HistogramSeries<L> {
    const made = new HistogramSeries(labels, this.bounds);
    this.all.push(made);
    return made;
  }

  /**
   * What the registry writes at a scrape, as prom-client's Histogram gives it: per series its
   * cumulative buckets with `le` first, +Inf, sum and count, the series' labels shared.
   */
  getForPromString(): Promise<Exported> {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.all) {
      if (s.count === 0) continue;
      const sharedLabels = s.labels as Record<string, string | number>;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels, value: cumulative, metricName: bucket });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels, value: s.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels, value: s.count, metricName: `${this.name}_count` });
    }
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, values, aggregator });
  }

  /** The same values with the series' labels in each (JSON, the cluster aggregator). */
  async get(): Promise<Exported> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, ...value }) => ({
      ...value,
      labels: { ...value.labels, ...sharedLabels },
    }));
    return data;
  }

  /** Every series back to nothing (Registry.resetMetrics). */
  reset(): void {
    for (const s of this.all) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
