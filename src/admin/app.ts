import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import type { BalanceStore } from '../balance/index.js';
import type { TariffCatalog } from '../catalog/tariffs.js';
import type { CdrWriter } from '../credit-control/cdr.js';
import type { SessionKeys } from '../credit-control/keys.js';
import type { SessionStore } from '../credit-control/sessions.js';
import type { Metrics } from '../metrics/metrics.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';
import { VERSION } from '../version.js';
import { bundleRoutes } from './routes/bundles.js';
import { adminAuth, scopeOf, type AdminToken } from './auth.js';
import { adminContext } from './context.js';
import { ADMIN_OP_TTL_SECONDS } from './credits.js';
import { fieldPath, toAdminError, validationError, type AdminError, type Problem } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { creditRoutes } from './routes/credits.js';
import { historyRoutes } from './routes/history.js';
import { operationRoutes } from './routes/operations.js';
import { provisioningRoutes } from './routes/provisioning.js';
import { sessionRoutes } from './routes/sessions.js';
import { tariffRoutes } from './routes/tariffs.js';
import { vpnRoutes } from './routes/vpn.js';
import { addSharedSchemas } from './schemas.js';

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
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The zod schema of the body: its messages replace JSON Schema's when the body is refused. */
    bodySchema?: z.ZodType;
  }
}

/** JSON Schema's refusal (Ajv errors) as problems naming each field. */
function schemaProblems(part: string, errors: NonNullable<FastifyError['validation']>): Problem[] {
  return errors.map((e) => {
    const field = part + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required')
      return { field: `${field}.${String(params.missingProperty)}`, reason: 'is required' };
    if (e.keyword === 'additionalProperties') {
      return { field: `${field}.${String(params.additionalProperty)}`, reason: 'is not a known field' };
    }
    return { field, reason: e.message ?? 'is not valid' };
  });
}

function refusal(err: FastifyError, request: FastifyRequest): AdminError {
  if (!err.validation) return toAdminError(err);
  const part = err.validationContext ?? 'body';
  const zodSchema = request.routeOptions.config.bodySchema;
  if (part === 'body' && zodSchema) {
    const parsed = zodSchema.safeParse(request.body);
    if (!parsed.success) {
      return validationError(
        parsed.error.issues.map((i) => ({ field: fieldPath('body', i.path), reason: i.message })),
      );
    }
  }
  return validationError(schemaProblems(part, err.validation));
}

const DESCRIPTION = `Accounts, top-ups, tariffs, VPN groups and packages of the gy-ocs online charging server,
in the shapes of its provisioning document. Every route under /v1 needs \`Authorization: Bearer <token>\`:
a read token may call GET, a write token every route. Amounts are integers in minor units of the
account's currency. A top-up or refund reference is remembered for ${ADMIN_OP_TTL_SECONDS / 86_400} days per account:
the same reference within that time credits once.`;

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
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const error = refusal(err, request);
    if (error.code === 'INTERNAL' || error.code === 'STORE_UNAVAILABLE') {
      request.log.error({ err, method: request.method, url: request.url }, `admin API: ${error.code}`);
    }
    return reply.code(error.status).send(error.toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url}` }),
  );
  addSharedSchemas(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'gy-ocs admin API', version: VERSION, description: DESCRIPTION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'accounts', description: 'accounts, balances, top-ups and refunds' },
        { name: 'history', description: 'open sessions, ledger and CDRs of an account' },
        { name: 'tariffs' },
        { name: 'vpn', description: 'VPN groups, members, packages, activations (ZTE US20120057507)' },
        { name: 'provisioning', description: 'a whole provisioning document at once' },
        { name: 'operations', description: 'health, readiness, metrics' },
      ],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    operationRoutes({ metrics: deps.metrics, ready: deps.ready, metricsToken: deps.metricsToken }),
  );

  const ctx = adminContext({
    redis: deps.redis,
    keyPrefix: deps.store.keys.prefix,
      await v1.register(bundleRoutes(ctx));
    catalog: deps.catalog,
    sessionKeys: deps.sessionKeys,
    sessions: deps.sessions,
    ...(deps.network ? { network: deps.network } : {}),
    ...(deps.cdrs ? { cdrs: deps.cdrs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  await app.register(
    async (v1) => {
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
