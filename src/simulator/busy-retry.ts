import type { AnswerInfo } from './answers.js';
import type { SimSession } from './sessions.js';

/** DIAMETER_TOO_BUSY: refused by the server's admission limit, not processed. */
const TOO_BUSY = 3004;
/** How long a request answered 3004 waits before it is sent again. */
export const BUSY_PAUSE_MS = 20;
/** Where the Hop-by-Hop Identifier sits in a Diameter header. */
const HOP_BY_HOP_OFFSET = 12;

/**
 * RFC 6733 §7.1.3: the server refused the request unprocessed; a client sends it again (here,
 * to the same server after a pause) rather than giving the session up.
 */
export function isTooBusy(a: AnswerInfo): boolean {
  return a.resultCode === TOO_BUSY;
}

/** The same request again, under a new Hop-by-Hop id; its latency counts from the first try. */
export function requestAgain(s: SimSession, hopByHop: number): Buffer {
  const bytes = s.lastRequest!;
  bytes.writeUInt32BE(hopByHop, HOP_BY_HOP_OFFSET);
  s.resend = false;
  return bytes;
}

export function busyWarning(busy: number): string {
  return `${busy} CCR(s) were answered 3004 (server too busy) and sent again after ${BUSY_PAUSE_MS} ms`;
}
