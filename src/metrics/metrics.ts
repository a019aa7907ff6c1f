import { Counter, Registry, collectDefaultMetrics, type Gauge } from 'prom-client';
import type { Logger } from '../logging.js';
import { registerBuildInfo } from './build-info.js';
import { sharedStateGauge, type SharedStateGaugeOptions } from './shared-state.js';

export interface MetricsOptions {
  defaultMetrics?: boolean;
  /** Where a value that could not be read at a scrape is reported. */
  logger?: Logger;
}

/**
 * The server's Prometheus registry: process defaults (event loop lag, memory, GC), the build,
 * the count of values that could not be read at a scrape, and each part's own metrics
 * registered by the module that produces them.
 */
export class Metrics {
  readonly registry = new Registry();
  /** Scrape-time reads that failed, by metric: such a gauge is left out of that scrape. */
  readonly collectErrors: Counter<'metric'>;
  private readonly logger: Logger | undefined;
  private readonly reads: (() => Promise<unknown>)[] = [];

  constructor(options: MetricsOptions = {}) {
    this.logger = options.logger;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    registerBuildInfo(this.registry);
    const reads = this.reads;
    this.collectErrors = new Counter({
      name: 'ocs_metrics_collect_errors_total',
      help: 'Values of shared state that could not be read from Redis at a scrape (the gauge is then left out)',
      labelNames: ['metric'],
      registers: [this.registry],
      // The registry collects every metric at once: joining the gauges' reads (one read each,
      // shared) makes a failure count in the scrape that leaves the gauge out.
      async collect() {
        await Promise.all(reads.map((read) => read()));
      },
    });
  }

  /** A gauge read from Redis at each scrape (see sharedStateGauge). */
  sharedStateGauge<L extends string>(options: SharedStateGaugeOptions<L>): Gauge<L> {
    return sharedStateGauge(
      { registry: this.registry, collectErrors: this.collectErrors, reads: this.reads, logger: this.logger },
      options,
    );
  }
}
