import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { BalanceStore } from '../balance/index.js';
import type { TariffCatalog } from '../catalog/tariffs.js';
import type { CdrWriter } from '../credit-control/cdr.js';
import type { SessionKeys } from '../credit-control/keys.js';
import type { SessionStore } from '../credit-control/sessions.js';
import { DEFAULT_ADMIN_LIMITS, type AdminLimits } from '../config/admin-limits.js';
import type { Metrics } from '../metrics/metrics.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';
import { AllowedMethods } from './allowed-methods.js';
import { adminAuth, scopeOf, type AdminToken } from './auth.js';
import { adminContext } from './context.js';
import { AdminError } from './errors.js';
import { documentSharedAnswers, OPENAPI_OPTIONS } from './openapi.js';
import { protectAdminApi } from './protection.js';
import { accountRoutes } from './routes/accounts.js';
import { bundleRoutes } from './routes/bundles.js';
import { creditRoutes } from './routes/credits.js';
import { historyRoutes } from './routes/history.js';
import { operationRoutes } from './routes/operations.js';
import { provisioningRoutes } from './routes/provisioning.js';
import { sessionRoutes } from './routes/sessions.js';
import { tariffRoutes } from './routes/tariffs.js';
import { vpnRoutes } from './routes/vpn.js';
import { addSharedSchemas } from './schemas.js';
import { refusalOf } from './validation.js';

export interface AdminDeps {
  redis: Redis | Cluster;
  /** The charging service's store: the admin side works on the same keys (its key prefix). */
  store: BalanceStore;
  catalog: TariffCatalog;
  sessions: SessionStore;
  sessionKeys: SessionKeys;
  /** RARs and ASRs for the sessions of the accounts the API changes; none: no request is sent. */
  network?: NetworkTriggers;
  /** The charging service's CDR streams; default a reader of the same keys. */
  cdrs?: CdrWriter;
  metrics: Metrics;
  /** Tokens of /v1 (see tokensFromConfig); none: every /v1 call is refused with ADMIN_DISABLED. */
  tokens: readonly AdminToken[];
  /** When set, /metrics needs it as a bearer token. */
  metricsToken?: string | undefined;
  /** Whether the server can serve traffic now (Redis reachable, Diameter listening). */
  ready(): Promise<boolean>;
  /** The clock of top-ups, activations and the monthly run (tests move it). */
  now?: () => number;
  /** A pino logger, or false for none (default). */
  logger?: FastifyBaseLogger | false;
  /** Rate limit and load shedding of /v1; default DEFAULT_ADMIN_LIMITS. */
  limits?: AdminLimits;
  /** How often load shedding samples the event loop and heap (default 1000 ms). */
  pressureSampleIntervalMs?: number;
}

/**
 * The HTTP side: health and readiness for the orchestrator, Prometheus metrics, the OpenAPI
 * document and its UI, and the admin API under /v1 behind bearer tokens. Built here, listened
 * on only by main.ts; tests drive it with `inject()`.
 */
export async function buildAdminApp(deps: AdminDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Probes and scrapes would flood the log; refusals and changes are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
    ajv: {
      // A body is taken as sent: no "100" for 100, no field dropped without a word.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true },
    },
  });
  app.decorateRequest('adminToken', null);
  // A body is JSON (or a provisioning document's YAML, where that route says so): Fastify's
  // default text/plain parser would hand a route a string it never expects; 415 instead.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const error = refusalOf(err, request);
    if (error.code === 'INTERNAL' || error.code === 'STORE_UNAVAILABLE') {
      request.log.error({ err, method: request.method, url: request.url }, `admin API: ${error.code}`);
    }
    return reply.code(error.status).send(error.toJSON());
  });
  const allowed = new AllowedMethods();
  allowed.track(app);
  app.setNotFoundHandler((request, reply) => {
    const methods = allowed.of(request.url);
    const path = request.url.split('?', 1)[0] ?? '';
    const error =
      methods.length > 0
        ? new AdminError('METHOD_NOT_ALLOWED', `${path} answers ${methods.join(', ')}, not ${request.method}`)
        : new AdminError('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`);
    if (methods.length > 0) void reply.header('allow', methods.join(', '));
    return reply.code(error.status).send(error.toJSON());
  });
  addSharedSchemas(app);
  documentSharedAnswers(app);

  await app.register(swagger, OPENAPI_OPTIONS);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get(
    '/openapi.json',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getOpenApiDocument',
        summary: 'this document (the UI is at /docs)',
        security: [],
        response: {
          200: {
            description: 'the OpenAPI 3.1 document',
            content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async () => app.swagger(),
  );

  await app.register(
    operationRoutes({ metrics: deps.metrics, ready: deps.ready, metricsToken: deps.metricsToken }),
  );

  const ctx = adminContext({
    redis: deps.redis,
    keyPrefix: deps.store.keys.prefix,
    catalog: deps.catalog,
    sessionKeys: deps.sessionKeys,
    sessions: deps.sessions,
    ...(deps.network ? { network: deps.network } : {}),
    ...(deps.cdrs ? { cdrs: deps.cdrs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  await app.register(
    async (v1) => {
      await protectAdminApi(v1, {
        limits: deps.limits ?? DEFAULT_ADMIN_LIMITS,
        tokens: deps.tokens,
        redis: deps.redis,
        keyPrefix: deps.store.keys.prefix,
        ...(deps.pressureSampleIntervalMs ? { sampleIntervalMs: deps.pressureSampleIntervalMs } : {}),
      });
      v1.addHook('onRequest', adminAuth(deps.tokens));
      v1.addHook('onResponse', async (request, reply) => {
        if (scopeOf(request.method) !== 'write' || !request.adminToken) return;
        request.log.info(
          {
            token: request.adminToken.name,
            method: request.method,
            url: request.url,
            status: reply.statusCode,
          },
          'admin API: change',
        );
      });
      await v1.register(accountRoutes(ctx));
      await v1.register(creditRoutes(ctx));
      await v1.register(bundleRoutes(ctx));
      await v1.register(sessionRoutes(ctx));
      await v1.register(historyRoutes(ctx));
      await v1.register(tariffRoutes(ctx));
      await v1.register(vpnRoutes(ctx));
      await v1.register(provisioningRoutes(ctx));
    },
    { prefix: '/v1' },
  );
  return app;
}
