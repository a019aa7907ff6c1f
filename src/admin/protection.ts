/**
 * Rate limiting and load shedding of /v1, before authentication so that a caller with a wrong
 * token is limited too. Health, readiness and metrics stay outside: the orchestrator and
 * Prometheus must still see the process that sheds admin calls.
 *
 * The rate is counted in Redis, so the limit is per token across every instance (they are
 * stateless, DESIGN §5); Redis away, the count is skipped and the route answers on its own.
 * Shedding is per instance: it reads this process's event loop and heap.
 */
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { AdminLimits } from '../config/admin-limits.js';
import { bearerToken, tokenMatcher, type AdminToken } from './auth.js';
import { AdminError } from './errors.js';

export interface ProtectionOptions {
  limits: AdminLimits;
  tokens: readonly AdminToken[];
  redis: Redis | Cluster;
  /** Key prefix of the rate counters (the store's). */
  keyPrefix: string;
  /** How often the event loop and heap are sampled (default 1000 ms). */
  sampleIntervalMs?: number;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Registers both on `v1` (an encapsulated context): its routes only. */
export async function protectAdminApi(v1: FastifyInstance, options: ProtectionOptions): Promise<void> {
  const { limits } = options;
  const shed =
    limits.shedEventLoopDelayMs > 0 || limits.shedEventLoopUtilization > 0 || limits.shedHeapUsedBytes > 0;
  if (shed) {
    const sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    // The samples that cover building the app (module loading, schema compilation: the loop is
    // blocked, and a sample without a reading counts as an infinite delay) are not load.
    let armedAt = Infinity;
    v1.addHook('onReady', async () => {
      armedAt = Date.now() + 2 * sampleIntervalMs;
    });
    let lastLogged = -Infinity;
    await v1.register(underPressure, {
      maxEventLoopDelay: limits.shedEventLoopDelayMs,
      maxEventLoopUtilization: limits.shedEventLoopUtilization,
      eventLoopUtilizationMode: 'interval',
      maxHeapUsedBytes: limits.shedHeapUsedBytes,
      sampleInterval: sampleIntervalMs,
      pressureHandler: async (request, reply, type, value) => {
        const now = Date.now();
        if (now < armedAt) return;
        void reply.header('retry-after', String(limits.shedRetryAfterSeconds));
        // One line per Retry-After period: a line per shed request would add to the load.
        if (now - lastLogged >= limits.shedRetryAfterSeconds * 1000) {
          lastLogged = now;
          request.log.warn({ type, value, url: request.url }, 'admin API: shedding requests');
        }
        throw new AdminError(
          'OVERLOADED',
          `the server is under load (${type}); admin requests are refused to keep charging going`,
        );
      },
    });
  }

  if (limits.rateLimitMax > 0) {
    const match = tokenMatcher(options.tokens);
    /** `token:<name>` or `address:<ip>`: the counter's key, never the token itself. */
    const callerOf = (request: FastifyRequest) => {
      const presented = bearerToken(request.headers.authorization);
      const token = presented === undefined ? undefined : match(presented);
      return token ? `token:${token.name}` : `address:${request.ip}`;
    };
    await v1.register(rateLimit, {
      global: false,
      max: limits.rateLimitMax,
      timeWindow: limits.rateLimitWindowMs,
      redis: options.redis,
      nameSpace: `${options.keyPrefix}admin:rate:`,
      skipOnError: true,
      keyGenerator: callerOf,
      errorResponseBuilder: (request, context) =>
        new AdminError(
          'RATE_LIMITED',
          `${callerOf(request).replace(':', ' ')} sent more than ${context.max} requests in ${seconds(limits.rateLimitWindowMs)}; ` +
            `retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
        ),
    });
    v1.addHook('onRequest', v1.rateLimit());
  }
}
