/**
 * Counter series: counted in plain numbers on the hot path, every count in the next read of the
 * registry and in none after it, beside what the counter counted itself.
 */
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterSeriesSet } from '../../../src/metrics/counter-series.js';

function counterWithSeries() {
  const registry = new Registry();
  const set = new CounterSeriesSet<'kind'>();
  const counter = new Counter({
    name: 'things_total',
    help: 'things',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      set.flush(this);
    },
  });
  return { registry, set, counter };
}

async function values(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('things_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.kind), v.value]));
}

describe('CounterSeriesSet', () => {
  it('adds what each series counted at the next read, and only once', async () => {
    const { registry, set, counter } = counterWithSeries();
    const a = set.series({ kind: 'a' });
    const b = set.series({ kind: 'b' });
    a.inc();
    a.inc(2);
    counter.inc({ kind: 'b' }, 5);
    expect(await values(registry)).toEqual({ a: 3, b: 5 });
    b.inc();
    expect(await values(registry)).toEqual({ a: 3, b: 6 });
    expect(await registry.metrics()).toContain('things_total{kind="a"} 3');
  });

  it('shows no series that has counted nothing', async () => {
    const { registry, set } = counterWithSeries();
    set.series({ kind: 'idle' });
    expect(await values(registry)).toEqual({});
  });
});
