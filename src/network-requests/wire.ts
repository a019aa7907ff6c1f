import type { LocalIdentity } from '../diameter/answers.js';
import { readUnsigned32 } from '../diameter/avp-value.js';
import { APPLICATION, COMMAND, type Avps } from '../diameter/avps.js';
import { CommandFlags, findAvp, type DiameterMessage } from '../diameter/message.js';
import type { RequestBuilder } from '../diameter/peer/outgoing-requests.js';
import { ResultCode } from '../errors/result-codes.js';
import type { NetworkRequestKind, SessionTarget } from './types.js';

/** RFC 6733 §8.12 Re-Auth-Request-Type: AUTHORIZE_ONLY, as RFC 4006 §5.5 has it. */
const AUTHORIZE_ONLY = 0;

/**
 * A Re-Auth-Request (RFC 6733 §8.3.1, RFC 4006 §5.5: AUTHORIZE_ONLY, optionally one
 * Rating-Group) or an Abort-Session-Request (RFC 6733 §8.5.1) of the credit-control
 * application, to the client that opened the session: proxiable, and retransmitted with the T
 * bit when an attempt went unanswered.
 */
export function networkRequest(
  kind: NetworkRequestKind,
  avps: Avps,
  identity: LocalIdentity,
  target: SessionTarget,
): RequestBuilder {
  return (w, ids) => {
    w.begin({
      flags:
        CommandFlags.Request | CommandFlags.Proxiable | (ids.retransmission ? CommandFlags.Retransmitted : 0),
      commandCode: kind === 'rar' ? COMMAND.RE_AUTH : COMMAND.ABORT_SESSION,
      applicationId: APPLICATION.CREDIT_CONTROL,
      hopByHop: ids.hopByHop,
      endToEnd: ids.endToEnd,
    })
      .text(avps.sessionId, target.sessionId)
      .text(avps.originHost, identity.originHost)
      .text(avps.originRealm, identity.originRealm)
      .text(avps.destinationRealm, target.originRealm)
      .text(avps.destinationHost, target.originHost)
      .unsigned32(avps.authApplicationId, APPLICATION.CREDIT_CONTROL);
    if (kind === 'rar') {
      w.integer32(avps.reAuthRequestType, AUTHORIZE_ONLY);
      if (target.ratingGroup !== undefined) w.unsigned32(avps.ratingGroup, target.ratingGroup);
    }
    return w.finish();
  };
}

/** The Result-Code of an answer; an answer without one is taken as UNABLE_TO_COMPLY. */
export function resultCodeOf(avps: Avps, answer: DiameterMessage): number {
  const avp = findAvp(answer.avps, avps.resultCode.code);
  return avp ? readUnsigned32(avp) : ResultCode.UNABLE_TO_COMPLY;
}

/**
 * Whether an answer ends the attempts: success (2001, 2002 LIMITED_SUCCESS), 5002 (the client
 * no longer knows the session), the other permanent failures, which RFC 6733 §7.1.5 says not to
 * send again as they were, and a command or application the client does not serve. A protocol
 * error (3002 UNABLE_TO_DELIVER, 3004 TOO_BUSY...) or a transient failure (4xxx) is retried.
 */
export function isFinalAnswer(resultCode: number): boolean {
  if (resultCode === ResultCode.COMMAND_UNSUPPORTED || resultCode === ResultCode.APPLICATION_UNSUPPORTED)
    return true;
  return (resultCode >= 2000 && resultCode < 3000) || resultCode >= 5000;
}
