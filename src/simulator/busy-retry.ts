import { ResultCode } from '../errors/result-codes.js';
import type { AnswerInfo } from './answers.js';
import { setHopByHop } from './header.js';
import type { SimSession } from './sessions.js';

/** How long a request answered DIAMETER_TOO_BUSY waits before it is sent again. */
export const BUSY_PAUSE_MS = 20;

/**
 * RFC 6733 §7.1.3 DIAMETER_TOO_BUSY: the server's admission limit refused the request
 * unprocessed; a client sends it again (here, to the same server after a pause) rather than
 * giving the session up.
 */
export function isTooBusy(a: AnswerInfo): boolean {
  return a.resultCode === ResultCode.TOO_BUSY;
}

/** The same request again, under a new Hop-by-Hop id; its latency counts from the first try. */
export function requestAgain(s: SimSession, hopByHop: number): Buffer {
  const bytes = s.lastRequest!;
  setHopByHop(bytes, hopByHop);
  s.resend = false;
  return bytes;
}

export function busyWarning(busy: number): string {
  return `${busy} CCR(s) were answered ${ResultCode.TOO_BUSY} (server too busy) and sent again after ${BUSY_PAUSE_MS} ms`;
}
