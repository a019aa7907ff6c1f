import { readText } from '../diameter/avp-value.js';
import { COMMAND } from '../diameter/avps.js';
import type { Dictionary } from '../diameter/dictionary.js';
import { findAvp, type DiameterMessage } from '../diameter/message.js';
import { ResultCode } from '../errors/result-codes.js';
import type { Peer } from './peers.js';
import type { Report } from './report.js';
import type { SessionBook } from './session-book.js';

/**
 * The server's Re-Auth and Abort-Session requests, answered as a PCEF would: RAA 2001 and a
 * CCR-U with FORCED_REAUTHORISATION next (RFC 4006 §5.5), ASA 2001 and the CCR-T next (RFC
 * 6733 §8.5); 5002 for a session that is over or unknown. Another request is answered 3001.
 */
export class ServerRequestAnswers {
  readonly counts: Report['serverRequests'] = { rar: 0, asr: 0, unknownSession: 0 };
  private readonly sessionIdCode: number;

  constructor(
    dict: Dictionary,
    private readonly book: SessionBook,
  ) {
    this.sessionIdCode = dict.avpByName('Session-Id').code;
  }

  take(peer: Peer, request: DiameterMessage): void {
    const avp = findAvp(request.avps, this.sessionIdCode);
    const session = avp ? this.book.find(readText(avp)) : undefined;
    let known: boolean;
    if (request.commandCode === COMMAND.RE_AUTH) {
      this.counts.rar++;
      known = session?.reauthorize() ?? false;
    } else if (request.commandCode === COMMAND.ABORT_SESSION) {
      this.counts.asr++;
      known = session?.abortSession() ?? false;
    } else {
      peer.client.answerServerRequest(request, ResultCode.COMMAND_UNSUPPORTED);
      return;
    }
    if (!known) this.counts.unknownSession++;
    peer.client.answerServerRequest(request, known ? ResultCode.SUCCESS : ResultCode.UNKNOWN_SESSION_ID);
  }
}
