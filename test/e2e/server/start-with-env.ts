/**
 * Starts the server from the environment and reports how the start ended, without ever calling
 * process.exit: the process ends by itself only when nothing was left open.
 */
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/logging.js';
import { startServer } from '../../../src/server/start.js';

startServer(loadConfig(), {
  logger: createLogger('silent'),
  keyPrefix: process.env.TEST_KEY_PREFIX ?? '',
}).then(
  async (server) => {
    console.log('started');
    await server.close();
  },
  (err: unknown) => console.log(`failed: ${err instanceof Error ? err.message : String(err)}`),
);
