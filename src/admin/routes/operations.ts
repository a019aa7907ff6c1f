/** Health for the orchestrator and metrics for Prometheus: open, or /metrics behind METRICS_TOKEN. */
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics/metrics.js';
import { metricsAuth } from '../auth.js';
import { ref, SECURITY } from '../schemas.js';

export interface OperationDeps {
  metrics: Metrics;
  ready(): Promise<boolean>;
  metricsToken?: string | undefined;
}

/** No authentication: the orchestrator's probes and, without METRICS_TOKEN, Prometheus. */
const OPEN: [] = [];

const status = {
  type: 'object',
  properties: { status: { type: 'string' } },
  required: ['status'],
} as const;

export function operationRoutes(deps: OperationDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['operations'],
          operationId: 'getHealth',
          summary: 'the process is alive',
          security: OPEN,
          response: { 200: status },
        },
      },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          operationId: 'getReadiness',
          summary: 'Redis answers, the Diameter port listens, and the server is not shutting down',
          security: OPEN,
          response: { 200: status, 503: status },
        },
      },
      async (_request, reply) => {
        const ready = await deps.ready().catch(() => false);
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
      },
    );
    app.get(
      '/metrics',
      {
        ...(deps.metricsToken ? { onRequest: metricsAuth(deps.metricsToken) } : {}),
        schema: {
          tags: ['operations'],
          operationId: 'getMetrics',
          summary: 'Prometheus text format',
          description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
          security: deps.metricsToken ? SECURITY : OPEN,
          response: {
            200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
            401: ref('AdminError'),
          },
        },
      },
      async (_request, reply) => {
        reply.type(deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
    );
  };
}
