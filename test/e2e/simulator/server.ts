/**
 * The server the simulator's end-to-end tests run against: on the run's Redis under a key prefix
 * of its own, loopback only, no Tcc timer; `close()` deletes its keys and stops it.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import type { ProvisioningDeps } from '../../../src/provisioning/apply.js';

export interface SimulatorServer {
  server: RunningServer;
  /** What the simulator needs to provision and read balances. */
  provisioning: ProvisioningDeps;
  close(): Promise<void>;
}

export async function startSimulatorServer(
  name: string,
  env: Record<string, string> = {},
): Promise<SimulatorServer> {
  const prefix = `${name}:${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    DIAMETER_HOST: '127.0.0.1',
    DIAMETER_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    REDIS_URL: inject('redisUrl'),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer(config, { keyPrefix: prefix, supervisionIntervalMs: 0 });
  return {
    server,
    provisioning: {
      redis: server.redis,
      store: server.store,
      catalog: server.catalog,
      sessionKeys: server.sessionKeys,
    },
    async close() {
      let cursor = '0';
      do {
        const [next, keys] = await server.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await server.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await server.close();
    },
  };
}
