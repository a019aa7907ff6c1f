import type { CreditControlService } from '../credit-control/types.js';
import type { Logger } from '../logging.js';
import { encodeErrorAnswer, type LocalIdentity } from './answers.js';
import { APPLICATION, COMMAND, type Avps } from './avps.js';
import { AvpValueError } from './avp-value.js';
import { encodeCreditControlAnswer } from './cca-encode.js';
import { decodeCreditControlRequest } from './ccr-decode.js';
import { MessageWriter } from './encode.js';
import type { DiameterMessage } from './message.js';
import type { PeerInfo, RequestHandler } from './peer/handler.js';
import { ResultCode } from '../errors/result-codes.js';

/**
 * The Credit-Control application (RFC 4006, application 4) at the Diameter edge: decodes the
 * CCR, hands the typed request to the charging service, encodes its answer. Protocol-level
 * checks (grammar, values) already ran in the peer layer.
 */
export function creditControlHandler(deps: {
  avps: Avps;
  identity: LocalIdentity;
  service: CreditControlService;
  logger: Logger;
}): RequestHandler {
  const { avps, identity, service, logger } = deps;
  const echoOnError = [avps.authApplicationId, avps.ccRequestType, avps.ccRequestNumber];
  const writer = new MessageWriter();
  return {
    applicationId: APPLICATION.CREDIT_CONTROL,
    commandCode: COMMAND.CREDIT_CONTROL,
    echoOnError,
    async handle(message: DiameterMessage, peer: PeerInfo): Promise<Buffer> {
      let request;
      try {
        request = decodeCreditControlRequest(avps, message);
      } catch (err) {
        if (!(err instanceof AvpValueError)) throw err;
        logger.warn({ reason: err.message, avp: err.avp.code }, 'CCR with an invalid value');
        return encodeErrorAnswer(
          writer,
          avps,
          identity,
          message,
          message.avps,
          { resultCode: ResultCode.INVALID_AVP_VALUE, reason: err.message, failedAvp: err.avp },
          echoOnError,
        );
      }
      request.peer = peer.originHost;
      const answer = await service.handle(request);
      return encodeCreditControlAnswer(writer, avps, identity, message, answer);
    },
  };
}
