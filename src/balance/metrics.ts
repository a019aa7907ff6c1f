import type { Cluster, Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { CounterSeriesSet, type CounterSeries } from '../metrics/counter-series.js';
import { SeriesHistogram, type HistogramSeries } from '../metrics/histogram-series.js';
import { redisFailureOf } from '../redis/failures.js';
import { BalanceCode } from './errors.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

/** The balance store's Prometheus metrics: every script call, its outcome and its latency. */
export class StoreMetrics {
  readonly calls: Counter<'script' | 'outcome'>;
  readonly latency: SeriesHistogram<'script'>;
  readonly connected: Gauge;
  private readonly callSeries = new CounterSeriesSet<'script' | 'outcome'>();

  constructor(registry: Registry, redis: Redis | Cluster) {
    const registers = [registry];
    const callSeries = this.callSeries;
    this.calls = new Counter({
      name: 'ocs_store_script_calls_total',
      help:
        'Balance-store Lua script calls, by script and outcome: ok, the refusal code, or why Redis ' +
        'did not answer (timeout, unavailable), or error',
      labelNames: ['script', 'outcome'],
      registers,
      collect() {
        callSeries.flush(this);
      },
    });
    this.latency = new SeriesHistogram({
      name: 'ocs_store_script_duration_seconds',
      help: 'Round trip of a balance-store script call through ioredis',
      labelNames: ['script'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 0.5],
      registers,
    });
    this.connected = new Gauge({
      name: 'ocs_store_redis_connected',
      help: '1 when the connection to Redis is ready, else 0',
      registers,
      collect() {
        this.set(redis.status === 'ready' ? 1 : 0);
      },
    });
    // Redis failures are series from the start at 0, so that the first one shows as an increase.
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      for (const outcome of ['ok', 'timeout', 'unavailable', 'error']) {
        this.calls.inc({ script: SCRIPTS[name].file, outcome }, 0);
      }
    }
  }

  /** What one script's calls update, made once: its latency and a series per outcome. */
  script(script: string): ScriptCallMetrics {
    return new ScriptCallMetrics(script, this);
  }

  series(script: string, outcome: string): CounterSeries<'script' | 'outcome'> {
    return this.callSeries.series({ script, outcome });
  }
}

export class ScriptCallMetrics {
  private readonly latency: HistogramSeries<'script'>;
  private readonly ok: CounterSeries<'script' | 'outcome'>;
  private readonly others = new Map<string, CounterSeries<'script' | 'outcome'>>();

  constructor(
    private readonly script: string,
    private readonly metrics: StoreMetrics,
  ) {
    this.latency = metrics.latency.series({ script });
    this.ok = metrics.series(script, 'ok');
  }

  /** One call that took from `startedAt` (performance.now()) to now, and how it ended. */
  ended(startedAt: number, outcome: string): void {
    this.latency.observe((performance.now() - startedAt) / 1000);
    if (outcome === 'ok') {
      this.ok.inc();
      return;
    }
    let series = this.others.get(outcome);
    if (!series) this.others.set(outcome, (series = this.metrics.series(this.script, outcome)));
    series.inc();
  }
}

/** ok, or the refusal's code in lower case: scripts answer [code, fields] or [code, reason]. */
function outcomeOf(reply: unknown): string {
  // Others (index cleanup) answer counts.
  const coded = Array.isArray(reply) && typeof reply[0] === 'number' && typeof reply[1] !== 'number';
  const code = coded ? (reply[0] as number) : undefined;
  return code === undefined || code === BalanceCode.OK
    ? 'ok'
    : (BalanceCode[code]?.toLowerCase() ?? String(code));
}

const instrumented = new WeakSet<Redis | Cluster>();

/**
 * Wraps the script commands of a connection so that each call is counted and timed, in one
 * step after the reply: the request's path waits on no extra promise for it.
 */
export function instrumentScripts(redis: Redis | Cluster, metrics: StoreMetrics): void {
  if (instrumented.has(redis)) return;
  instrumented.add(redis);
  const commands = redis as unknown as Record<ScriptName, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const script = metrics.script(SCRIPTS[name].file);
    const call = commands[name].bind(redis);
    commands[name] = (...args: unknown[]) => {
      const startedAt = performance.now();
      return call(...args).then(
        (reply) => {
          script.ended(startedAt, outcomeOf(reply));
          return reply;
        },
        (err: unknown) => {
          script.ended(startedAt, redisFailureOf(err) ?? 'error');
          throw err;
        },
      );
    };
  }
}
