/**
 * Counters counted on the hot path without prom-client's per-call label lookup: its
 * `inc(labels)` validates the labels and builds their key on every call, and the child that
 * `labels()` returns does the same. A series here is made once per set of label values and
 * counts in a plain number; the counter's `collect` (run by every read of the registry, a
 * scrape) adds what each series counted since, so a scrape sees every count.
 */
import type { Counter, LabelValues } from 'prom-client';

export class CounterSeries<L extends string> {
  value = 0;

  constructor(readonly labels: LabelValues<L>) {}

  inc(by = 1): void {
    this.value += by;
  }
}

/** The series of one counter; `flush` goes in the counter's `collect`. */
export class CounterSeriesSet<L extends string> {
  private readonly all: CounterSeries<L>[] = [];

  /** A new series for these label values: call it once per set and keep it. */
  series(labels: LabelValues<L>): CounterSeries<L> {
    const made = new CounterSeries(labels);
    this.all.push(made);
    return made;
  }

  /** Adds to the counter what each series counted since the last flush. */
  flush(counter: Counter<L>): void {
    for (const s of this.all) {
      if (s.value === 0) continue;
      counter.inc(s.labels, s.value);
      s.value = 0;
    }
  }
}
