import type { Logger } from '../../logging.js';
import type { Admission } from '../admission.js';
import type { LocalIdentity } from '../answers.js';
import type { Avps } from '../avps.js';
import type { Dictionary } from '../dictionary.js';
import type { DiameterMetrics } from '../metrics.js';
import type { RequestHandler } from './handler.js';

export interface PeerOptions {
  dictionary: Dictionary;
  avps: Avps;
  identity: LocalIdentity;
  handlers: ReadonlyMap<string, RequestHandler>;
  /** Applications we announce in the CEA (Auth-Application-Id). */
  applicationIds: readonly number[];
  allowedPeers: readonly string[];
  watchdogMs: number;
  maxMessageBytes: number;
  admission: Admission;
  logger: Logger;
  metrics?: DiameterMetrics;
}
