import type { Cluster, Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Charging } from '../credit-control/context.js';
import { closeSessionHere } from '../credit-control/session-abort.js';
import type { SessionStore } from '../credit-control/sessions.js';
import type { LocalIdentity } from '../diameter/answers.js';
import type { Avps } from '../diameter/avps.js';
import type { Logger } from '../logging.js';
import { AbortSchedule } from './abort-schedule.js';
import { AbortSweeper } from './abort-sweeper.js';
import { NetworkKeys } from './keys.js';
import { NetworkRequestMetrics } from './metrics.js';
import { PeerRegistry } from './peer-registry.js';
import { NetworkRequestRouter } from './router.js';
import { LocalSender, type PeerLookup, type SendPolicy } from './sender.js';
import { NetworkTriggers } from './triggers.js';

/** How requests to clients are sent and how long an aborted session may stay open. */
export interface NetworkRequestSettings extends SendPolicy {
  /** ASR_CLOSE_TIMEOUT_MS: how long after its ASR a session without CCR-T is closed here. */
  abortCloseMs: number;
}

/** The network side of one server instance: registry of its peers, its channel, the sweeper. */
export interface InstanceNetwork {
  readonly instanceId: string;
  readonly registry: PeerRegistry;
  readonly triggers: NetworkTriggers;
  readonly sweeper: AbortSweeper;
  close(): Promise<void>;
}

/** The registry first: the Diameter server is told of its peers' connections from its start. */
export function peerRegistry(redis: Redis | Cluster, keyPrefix: string, instanceId: string, logger: Logger) {
  return new PeerRegistry(redis, new NetworkKeys(keyPrefix), instanceId, logger);
}

/**
 * Starts what lets this instance send RARs and ASRs for any instance and ask any instance to:
 * its channel, the registry's refresh, and the sweep closing sessions whose ASR went unheeded.
 */
export async function startInstanceNetwork(deps: {
  redis: Redis | Cluster;
  keyPrefix: string;
  registry: PeerRegistry;
  instanceId: string;
  peers: PeerLookup;
  avps: Avps;
  identity: LocalIdentity;
  charging: Charging;
  settings: NetworkRequestSettings;
  metricsRegistry?: Registry;
  logger: Logger;
}): Promise<InstanceNetwork> {
  const { redis, registry, instanceId, charging, settings, logger } = deps;
  const keys = new NetworkKeys(deps.keyPrefix);
  const metrics = deps.metricsRegistry ? new NetworkRequestMetrics(deps.metricsRegistry) : undefined;
  const local = new LocalSender({
    peers: deps.peers,
    avps: deps.avps,
    identity: deps.identity,
    policy: settings,
    logger,
    instanceId,
    ...(metrics ? { metrics } : {}),
    async unknownAtClient(target) {
      await closeSessionHere(charging, target.msisdn, target.sessionId, 'unknown-at-client');
    },
  });
  const router = new NetworkRequestRouter({
    redis,
    keys,
    instanceId,
    registry,
    logger,
    local,
    ...(metrics ? { metrics } : {}),
    // Every attempt's timeout and the pauses between them, with a second to spare.
    replyTimeoutMs: settings.attempts * (settings.answerTimeoutMs + 1000) + 1000,
  });
  await router.start();
  registry.start();
  const schedule = new AbortSchedule(redis, keys);
  const sweeper = new AbortSweeper(charging, schedule, sweepInterval(settings.abortCloseMs));
  sweeper.start();
  const triggers = new NetworkTriggers({
    sessions: charging.sessions,
    router,
    schedule,
    abortCloseMs: settings.abortCloseMs,
    logger,
  });
  return {
    instanceId,
    registry,
    triggers,
    sweeper,
    async close() {
      await sweeper.stop();
      await router.close();
      await registry.close();
    },
  };
}

/**
 * The triggers for a process that holds no Diameter connection (`ocs topup`, `ocs account`,
 * `ocs provision`): it asks the instances holding the peers to send, and does not wait.
 */
export function requestingTriggers(deps: {
  redis: Redis | Cluster;
  keyPrefix: string;
  sessions: SessionStore;
  abortCloseMs: number;
  logger: Logger;
}): NetworkTriggers {
  const keys = new NetworkKeys(deps.keyPrefix);
  const router = new NetworkRequestRouter({
    redis: deps.redis,
    keys,
    instanceId: `cli-${process.pid}`,
    registry: {
      holders: (host) => deps.redis.zrangebyscore(keys.peerHolders(host), Date.now(), '+inf'),
    },
    logger: deps.logger,
    replyTimeoutMs: 0,
  });
  return new NetworkTriggers({
    sessions: deps.sessions,
    router,
    schedule: new AbortSchedule(deps.redis, keys),
    abortCloseMs: deps.abortCloseMs,
    logger: deps.logger,
  });
}

/** A quarter of the bound, between 50 ms and a second: the bound is kept within that. */
function sweepInterval(abortCloseMs: number): number {
  return Math.min(1000, Math.max(50, Math.floor(abortCloseMs / 4)));
}
