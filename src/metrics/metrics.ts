import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's Prometheus registry: process defaults (event loop lag, memory, GC) here, and
 * each part's own metrics registered by the module that produces them.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
