import type { Cluster, Redis } from 'ioredis';
import { loadConfig } from '../config/config.js';
import { SessionKeys } from '../credit-control/keys.js';
import { SessionStore } from '../credit-control/sessions.js';
import { createLogger } from '../logging.js';
import { requestingTriggers } from '../network-requests/network.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';

/**
 * The RARs and ASRs of a change made by an `ocs` command, as the same change through the admin
 * API makes them: the command holds no Diameter connection, so the instances holding the
 * clients' connections send them. Logged on stderr, as stdout is the command's output.
 */
export function commandTriggers(redis: Redis | Cluster): NetworkTriggers {
  const { abortCloseMs } = loadConfig({
    ASR_CLOSE_TIMEOUT_MS: process.env.ASR_CLOSE_TIMEOUT_MS,
  }).networkRequests;
  return requestingTriggers({
    redis,
    keyPrefix: '',
    sessions: new SessionStore(redis, new SessionKeys()),
    abortCloseMs,
    logger: createLogger('warn', 'ocs', 2),
  });
}
