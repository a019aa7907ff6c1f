import type { BalanceStore } from '../balance/index.js';
import type { Logger } from '../logging.js';
import type { Rater } from '../rating/rater.js';
import type { CdrWriter } from './cdr.js';
import type { ChargingMetrics } from './metrics.js';
import type { SessionGuards } from './session-guards.js';
import type { SessionStore } from './sessions.js';
import type { ServiceKind } from './service-kind.js';
import type { ChargingSettings } from './settings.js';
import type { SubscriberResolver } from './subscriber.js';

export interface ChargingDeps {
  store: BalanceStore;
  sessions: SessionStore;
  cdrs: CdrWriter;
  subscribers: SubscriberResolver;
  rater: Rater;
  settings: ChargingSettings;
  logger: Logger;
  /** Milliseconds since the epoch; tests move time with it. */
  now?: () => number;
  /**
   * How long after a request arrives its charges may still freeze money (REDIS_COMMAND_TIMEOUT_MS,
   * well under the client's Tx timer, RFC 4006 §13); absent: no deadline.
   */
  storeDeadlineMs?: number;
  metrics?: ChargingMetrics;
  /** This instance's id, noted in the records of the sessions it serves (src/network-requests/). */
  instanceId?: string;
}

/** What every step of credit control reads: its collaborators, the clock, the settings. */
export interface Charging extends Omit<ChargingDeps, 'now'> {
  now: () => number;
  guards: SessionGuards;
}

/** How long a session may stay silent before Tcc closes it: Validity-Time plus the grace (RFC 4006 §7). */
export function tccSeconds(charging: Charging, kind: ServiceKind): number {
  return charging.settings[kind].validityTime + charging.settings.tccGraceSeconds;
}
