/**
 * Bearer tokens (RFC 6750) of the admin API. Each token has a name, for the logs, and a scope:
 * `read` may call the GET routes, `write` every route. Tokens are compared in constant time:
 * the presented token and every configured one are hashed to the same length and all of them
 * are compared, so neither the length nor the position of a match shows in the timing. A
 * refused call is logged with the reason and the caller's address, never with the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminTokenConfig, Config } from '../config/config.js';
import { AdminError } from './errors.js';

export type AdminToken = AdminTokenConfig;

declare module 'fastify' {
  interface FastifyRequest {
    /** The token the call was authenticated with (set under /v1). */
    adminToken: AdminToken | null;
  }
}

/** ADMIN_TOKEN as one read-write token named `admin`, then the tokens of ADMIN_TOKENS. */
export function tokensFromConfig(config: Pick<Config, 'adminToken' | 'adminTokens'>): AdminToken[] {
  return [
    ...(config.adminToken ? [{ name: 'admin', scope: 'write' as const, token: config.adminToken }] : []),
    ...config.adminTokens,
  ];
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Finds the configured token equal to `presented`, comparing with every one in constant time. */
export function tokenMatcher(tokens: readonly AdminToken[]): (presented: string) => AdminToken | undefined {
  const known = tokens.map((t) => ({ token: t, digest: digest(t.token) }));
  return (presented) => {
    const d = digest(presented);
    let found: AdminToken | undefined;
    for (const k of known) {
      if (timingSafeEqual(k.digest, d) && !found) found = k.token;
    }
    return found;
  };
}

/** The token of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 7235 §2.1). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/** Methods a read-only token may call. */
const READ_METHODS = new Set(['GET', 'HEAD']);

export function scopeOf(method: string): 'read' | 'write' {
  return READ_METHODS.has(method) ? 'read' : 'write';
}

/** The onRequest hook of /v1: authenticates, then checks the token's scope against the method. */
export function adminAuth(tokens: readonly AdminToken[]) {
  const match = tokenMatcher(tokens);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (tokens.length === 0) {
      throw new AdminError('ADMIN_DISABLED', 'set ADMIN_TOKEN or ADMIN_TOKENS to enable the admin API');
    }
    const header = request.headers.authorization;
    const presented = bearerToken(header);
    const token = presented === undefined ? undefined : match(presented);
    if (!token) {
      const reason =
        header === undefined ? 'no Authorization header' : presented ? 'unknown token' : 'not a bearer token';
      request.log.warn(
        { method: request.method, url: request.url, ip: request.ip, reason },
        'admin API: authentication refused',
      );
      void reply.header(
        'www-authenticate',
        presented ? 'Bearer realm="ocs-admin", error="invalid_token"' : 'Bearer realm="ocs-admin"',
      );
      throw new AdminError('UNAUTHORIZED', `${reason}: send Authorization: Bearer <token>`);
    }
    request.adminToken = token;
    if (scopeOf(request.method) === 'write' && token.scope !== 'write') {
      request.log.warn(
        { method: request.method, url: request.url, token: token.name },
        'admin API: read-only token refused a change',
      );
      throw new AdminError(
        'INSUFFICIENT_SCOPE',
        `token ${token.name} is read-only: ${request.method} needs a write token`,
      );
    }
  };
}

/** The onRequest hook of /metrics when METRICS_TOKEN is set. */
export function metricsAuth(metricsToken: string) {
  const match = tokenMatcher([{ name: 'metrics', scope: 'read', token: metricsToken }]);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = bearerToken(request.headers.authorization);
    if (presented !== undefined && match(presented)) return;
    request.log.warn({ url: request.url, ip: request.ip }, 'metrics: authentication refused');
    void reply.header('www-authenticate', 'Bearer realm="ocs-metrics"');
    throw new AdminError('UNAUTHORIZED', 'METRICS_TOKEN is set: send Authorization: Bearer <token>');
  };
}
