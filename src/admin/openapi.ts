/**
 * The OpenAPI 3.1 document of the HTTP side (/openapi.json, the UI at /docs): its header, and
 * the answers every route may give besides its own, added to each route as it is declared so
 * that a route added anywhere is described the same way.
 */
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';
import { ADMIN_OP_TTL_SECONDS } from './credits.js';
import { ref } from './schemas.js';

const DESCRIPTION = `Accounts, top-ups, tariffs, VPN groups and packages of the gy-ocs online charging server,
in the shapes of its provisioning document. Every route under /v1 needs \`Authorization: Bearer <token>\`:
a read token may call GET, a write token every route. Amounts are integers in minor units of the
account's currency. A top-up or refund reference is remembered for ${ADMIN_OP_TTL_SECONDS / 86_400} days per account:
the same reference within that time credits once.

Every refusal is \`{code, message, problems?}\` with a code of the error catalogue. Besides each route's
own answers: 405 with \`Allow\` for a method the path does not have, 404 for a path that does not exist,
429 with \`Retry-After\` past the rate limit of a token (ADMIN_RATE_LIMIT_MAX), and 503 OVERLOADED with
\`Retry-After\` while the server sheds admin calls to keep charging going.`;

export const OPENAPI_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'gy-ocs admin API',
      version: VERSION,
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'the server that serves this document' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    tags: [
      { name: 'accounts', description: 'accounts, balances, top-ups and refunds' },
      { name: 'history', description: 'open sessions, ledger and CDRs of an account' },
      { name: 'tariffs', description: 'tariffs, as in the provisioning document' },
      { name: 'vpn', description: 'VPN groups, members, packages, activations (ZTE US20120057507)' },
      { name: 'provisioning', description: 'a whole provisioning document at once' },
      { name: 'operations', description: 'health, readiness, metrics and this document' },
    ],
  },
  refResolver: {
    buildLocalReference: (json, _baseUri, _fragment, i) =>
      typeof json.$id === 'string' ? json.$id : `def-${i}`,
  },
};

type ResponseSchemas = Record<string | number, unknown>;

/**
 * Adds to each /v1 route the answers it shares with all: 429 past the rate limit, 503 when
 * shed, and for a route with a body 413 (larger than the body limit) and 415 (not JSON).
 * Must be called before the routes are declared.
 */
export function documentSharedAnswers(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/') || !route.schema) return;
    const response = (route.schema.response ?? {}) as ResponseSchemas;
    const shared = [429, 503, ...(route.schema.body ? [413, 415] : [])];
    for (const status of shared) response[status] ??= ref('AdminError');
    route.schema.response = response;
  });
}
