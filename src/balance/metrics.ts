import type { Cluster, Redis } from 'ioredis';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { redisFailureOf } from '../redis/failures.js';
import { BalanceCode } from './errors.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

/** The balance store's Prometheus metrics: every script call, its outcome and its latency. */
export class StoreMetrics {
  readonly calls: Counter<'script' | 'outcome'>;
  readonly latency: Histogram<'script'>;
  readonly connected: Gauge;

  constructor(registry: Registry, redis: Redis | Cluster) {
    const registers = [registry];
    this.calls = new Counter({
      name: 'ocs_store_script_calls_total',
      help:
        'Balance-store Lua script calls, by script and outcome: ok, the refusal code, or why Redis ' +
        'did not answer (timeout, unavailable), or error',
      labelNames: ['script', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
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
}

const instrumented = new WeakSet<Redis | Cluster>();

/** Wraps the script commands of a connection so that each call is counted and timed. */
export function instrumentScripts(redis: Redis | Cluster, metrics: StoreMetrics): void {
  if (instrumented.has(redis)) return;
  instrumented.add(redis);
  const commands = redis as unknown as Record<ScriptName, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const script = SCRIPTS[name].file;
    const call = commands[name].bind(redis);
    commands[name] = async (...args: unknown[]) => {
      const stop = metrics.latency.startTimer({ script });
      try {
        const reply = await call(...args);
        // Scripts answer [code, fields] or [code, reason]; others (index cleanup) answer counts.
        const coded = Array.isArray(reply) && typeof reply[0] === 'number' && typeof reply[1] !== 'number';
        const code = coded ? (reply[0] as number) : undefined;
        const outcome =
          code === undefined || code === BalanceCode.OK
            ? 'ok'
            : (BalanceCode[code]?.toLowerCase() ?? String(code));
        metrics.calls.inc({ script, outcome });
        return reply;
      } catch (err) {
        metrics.calls.inc({ script, outcome: redisFailureOf(err) ?? 'error' });
        throw err;
      } finally {
        stop();
      }
    };
  }
}
