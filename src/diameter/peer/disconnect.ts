import type { Logger } from '../../logging.js';
import type { LocalIdentity } from '../answers.js';
import { COMMAND, type Avps } from '../avps.js';
import { ResultCode } from '../../errors/result-codes.js';
import { CommandFlags, type DiameterMessage } from '../message.js';
import type { AnswerSender } from './answer-sender.js';
import type { RequestBuilder } from './outgoing-requests.js';

/** RFC 6733 §5.4.3 Disconnect-Cause values. */
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

/**
 * Our side of an orderly disconnect (RFC 6733 §5.4.1): sends a DPR and waits for the DPA;
 * a peer that does not answer is closed all the same.
 */
export async function requestDisconnect(
  request: (build: RequestBuilder) => Promise<DiameterMessage>,
  options: { avps: Avps; identity: LocalIdentity },
  cause: number,
  log: Logger,
): Promise<void> {
  const { avps, identity } = options;
  try {
    await request((w, ids) =>
      w
        .begin({
          flags: CommandFlags.Request,
          commandCode: COMMAND.DISCONNECT_PEER,
          applicationId: 0,
          ...ids,
        })
        .text(avps.originHost, identity.originHost)
        .text(avps.originRealm, identity.originRealm)
        .integer32(avps.disconnectCause, cause)
        .finish(),
    );
  } catch (err) {
    log.info({ err: (err as Error).message }, 'no DPA; closing anyway');
  }
}

/**
 * The peer's side (RFC 6733 §5.4.2): its DPR is answered with a DPA. Returns false when the
 * DPR broke its grammar and was refused instead, leaving the connection as it was.
 */
export function answerDisconnect(
  replies: AnswerSender,
  request: DiameterMessage,
  originHost: string,
  log: Logger,
): boolean {
  if (!replies.validate(request)) return false;
  log.info({ originHost }, 'peer disconnects (DPR)');
  replies.answer(request, request.avps, replies.baseAnswer(request, ResultCode.SUCCESS));
  return true;
}
