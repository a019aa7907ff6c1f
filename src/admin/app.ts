import bearerAuth from '@fastify/bearer-auth';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BalanceStore } from '../balance/index.js';
import type { SessionStore } from '../credit-control/sessions.js';
import type { Metrics } from '../metrics/metrics.js';

export interface AdminDeps {
  store: BalanceStore;
  sessions: SessionStore;
  metrics: Metrics;
  /** Bearer token for /v1; without one the admin API refuses every call. */
  adminToken: string | undefined;
  /** Whether the server can serve traffic now (Redis reachable, Diameter listening). */
  ready(): Promise<boolean>;
  logger?: boolean;
}

const msisdnParams = {
  type: 'object',
  properties: { msisdn: { type: 'string', pattern: '^[0-9]{5,15}$' } },
  required: ['msisdn'],
} as const;

/**
 * The HTTP side: health and readiness for the orchestrator, Prometheus metrics, and the admin
 * API under /v1 behind a bearer token. Built here, listened on only by main.ts.
 */
export async function buildAdminApp(deps: AdminDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: deps.logger ?? false });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.ready().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  await app.register(
    async (v1) => {
      if (deps.adminToken) {
        await v1.register(bearerAuth, { keys: new Set([deps.adminToken]), addHook: true });
      } else {
        v1.addHook('onRequest', async (_request, reply) =>
          reply
            .code(503)
            .send({ code: 'ADMIN_DISABLED', message: 'set ADMIN_TOKEN to enable the admin API' }),
        );
      }

      v1.get<{ Params: { msisdn: string } }>(
        '/accounts/:msisdn',
        { schema: { params: msisdnParams } },
        async (request, reply) => {
          const account = await deps.store.getAccount(request.params.msisdn);
          if (!account)
            return reply
              .code(404)
              .send({ code: 'ACCOUNT_NOT_FOUND', message: `no account ${request.params.msisdn}` });
          return account;
        },
      );

      v1.get<{ Params: { msisdn: string } }>(
        '/accounts/:msisdn/sessions',
        { schema: { params: msisdnParams } },
        async (request) => ({
          sessions: await deps.sessions.openSessionsOf(request.params.msisdn),
        }),
      );
    },
    { prefix: '/v1' },
  );

  return app;
}
