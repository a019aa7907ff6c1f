/**
 * The OpenAPI document without a running server or a Redis: the app is built on a Redis client
 * whose address is a socket that cannot exist, so that nothing a constructor sends (script
 * loading) can reach a Redis that happens to run on the machine; it is asked for its document
 * and closed. For CI's lint of the document and for publishing it beside a release.
 */
import { Redis } from 'ioredis';
import { BalanceStore } from '../balance/index.js';
import { TariffCatalog } from '../catalog/tariffs.js';
import { SessionKeys } from '../credit-control/keys.js';
import { SessionStore } from '../credit-control/sessions.js';
import { Metrics } from '../metrics/metrics.js';
import { buildAdminApp } from './app.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const redis = new Redis({
    path: '/nonexistent/openapi-document-only.sock',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Every connection attempt fails, by design: nothing to report.
  redis.on('error', () => {});
  const sessionKeys = new SessionKeys();
  const app = await buildAdminApp({
    redis,
    store: new BalanceStore({ redis }),
    catalog: new TariffCatalog(redis),
    sessions: new SessionStore(redis, sessionKeys),
    sessionKeys,
    metrics: new Metrics({ defaultMetrics: false }),
    tokens: [],
    ready: async () => false,
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
    redis.disconnect();
  }
}
