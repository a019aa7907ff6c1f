/**
 * Requests the server sends to a client about one of its sessions (RFC 4006 §5.5, RFC 6733
 * §8.3, §8.5): a Re-Auth-Request, after which the client asks for credit again, or an
 * Abort-Session-Request, after which it ends the session.
 */
export type NetworkRequestKind = 'rar' | 'asr';

/** What caused a request: the label of its metrics and of its log lines. */
export type Trigger =
  'topup' | 'refund' | 'operator' | 'status' | 'provisioning' | 'vpn' | 'bundle' | 'tariff';

/**
 * How a request ended. `success`: answered 2001 or 2002; `unknown_session`: answered 5002, so
 * the session was closed here; `error`: answered with another Result-Code, the last of the
 * attempts; `no_answer`: no attempt was answered in time, or the connection went; `no_peer`: no
 * instance holds a connection to the session's peer.
 */
export type Outcome = 'success' | 'unknown_session' | 'error' | 'no_answer' | 'no_peer';

export const OUTCOMES: readonly Outcome[] = ['success', 'unknown_session', 'error', 'no_answer', 'no_peer'];
export const TRIGGERS: readonly Trigger[] = [
  'topup',
  'refund',
  'operator',
  'status',
  'provisioning',
  'vpn',
  'bundle',
  'tariff',
];

/** The session a request is about and where it goes. */
export interface SessionTarget {
  msisdn: string;
  sessionId: string;
  /** Destination-Host: the client that opened the session. */
  originHost: string;
  /** Destination-Realm. */
  originRealm: string;
  /** The Diameter identity of the connection the request goes out over. */
  peer: string;
  /** The instance that served the session's last request: asked first. */
  instance?: string;
  /** Rating-Group of a RAR about one rating group only. */
  ratingGroup?: number;
}

/** What became of a request for one session; `sent` when it was handed over without waiting. */
export interface RequestResult {
  sessionId: string;
  kind: NetworkRequestKind;
  outcome: Outcome | 'sent';
  /** The Result-Code of the last answer. */
  resultCode?: number;
  /** The instance that sent it over its connection. */
  instance?: string;
}
