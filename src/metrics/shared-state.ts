import { Gauge, type Counter, type Registry } from 'prom-client';
import type { Logger } from '../logging.js';

export interface SharedStateSample<L extends string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

export interface SharedStateGaugeOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Every sample of the gauge now; a rejection leaves the gauge out of this scrape. */
  read: () => Promise<SharedStateSample<L>[]>;
}

export interface SharedStateGaugeDeps {
  registry: Registry;
  collectErrors: Counter<'metric'>;
  /** The gauge adds its read here, for the collect errors counter to wait on (see Metrics). */
  reads: (() => Promise<unknown>)[];
  logger: Logger | undefined;
}

/**
 * A gauge of state that every instance shares (open sessions, frozen money: kept in Redis),
 * read at each scrape. Every instance then reports the same value, a restarted one too, and
 * `max` across instances is the value. When the read fails the gauge has no sample in that
 * scrape (a 0 would read as "nothing frozen") and `ocs_metrics_collect_errors_total` counts it
 * in the same scrape. Scrapes that overlap share one read.
 */
export function sharedStateGauge<L extends string>(
  deps: SharedStateGaugeDeps,
  options: SharedStateGaugeOptions<L>,
): Gauge<L> {
  const { name, read } = options;
  const labelNames = options.labelNames ?? [];
  deps.collectErrors.inc({ metric: name }, 0);
  let reading: Promise<SharedStateSample<L>[] | undefined> | undefined;
  const readOnce = () =>
    (reading ??= read()
      .catch((err: unknown) => {
        deps.collectErrors.inc({ metric: name });
        deps.logger?.warn(
          { metric: name, reason: (err as Error).message },
          'metric not read: left out of the scrape',
        );
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      }));
  deps.reads.push(readOnce);
  return new Gauge<L>({
    name,
    help: options.help,
    labelNames,
    registers: [deps.registry],
    async collect() {
      const samples = await readOnce();
      this.reset();
      if (!samples) {
        if (labelNames.length === 0) this.remove({});
        return;
      }
      for (const s of samples) this.set(s.labels, s.value);
    },
  });
}
