import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, one registry per server instance (tests build their own). */
export class Metrics {
  readonly registry = new Registry();
  readonly diameterRequests: Counter<'command' | 'result'>;
  readonly diameterLatency: Histogram<'command'>;
  readonly openPeers: Gauge;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.diameterRequests = new Counter({
      name: 'ocs_diameter_requests_total',
      help: 'Diameter requests answered, by command and Result-Code',
      labelNames: ['command', 'result'],
      registers: [this.registry],
    });
    this.diameterLatency = new Histogram({
      name: 'ocs_diameter_request_duration_seconds',
      help: 'Time from a request being decoded to its answer being written',
      labelNames: ['command'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    const source = () => this.openPeerSource();
    this.openPeers = new Gauge({
      name: 'ocs_diameter_open_peers',
      help: 'Diameter peers with capabilities exchanged',
      registers: [this.registry],
      collect() {
        this.set(source());
      },
    });
  }

  private openPeerSource: () => number = () => 0;

  /** Where the open-peers gauge reads its value when scraped. */
  countOpenPeers(source: () => number): void {
    this.openPeerSource = source;
  }
}
