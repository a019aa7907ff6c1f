import type { Logger } from '../../logging.js';
import type { Admission } from '../admission.js';
import type { LocalIdentity } from '../answers.js';
import type { Avps } from '../avps.js';
import type { Dictionary } from '../dictionary.js';
import type { DiameterMetrics } from '../metrics.js';
import type { PeerAllowList } from './allow-list.js';
import type { PeerEvents, RequestHandler } from './handler.js';

export interface PeerOptions {
  dictionary: Dictionary;
  avps: Avps;
  identity: LocalIdentity;
  handlers: ReadonlyMap<string, RequestHandler>;
  /** Applications we announce in the CEA (Auth-Application-Id). */
  applicationIds: readonly number[];
  allowList: PeerAllowList;
  /**
   * On a TLS connection whose certificate must name the peer: why an Origin-Host is not one of
   * its names, or undefined when it is (RFC 6733 §13.1).
   */
  certificateMismatch?: (originHost: string) => string | undefined;
  watchdogMs: number;
  maxMessageBytes: number;
  admission: Admission;
  logger: Logger;
  metrics?: DiameterMetrics;
  /** Told of each connection that opens and closes. */
  events?: PeerEvents;
}
