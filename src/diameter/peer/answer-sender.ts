import type { Logger } from '../../logging.js';
import { beginAnswer, encodeErrorAnswer, type ErrorDetail } from '../answers.js';
import { COMMAND } from '../avps.js';
import type { DecodeError } from '../decode.js';
import type { AvpDefinition } from '../dictionary.js';
import { MessageWriter } from '../encode.js';
import { findAvp, type Avp, type DiameterMessage, type MessageHeader } from '../message.js';
import { requestTypeLabel, resultCodeOf } from '../metrics.js';
import { validateAvps } from '../validate.js';
import type { PeerTransport } from './transport.js';
import type { PeerOptions } from './options.js';

/** RFC 4006 §8.3 CC-Request-Type, for the metrics' labels. */
const CC_REQUEST_TYPE = 416;

/**
 * How one peer answers requests: encodes the base protocol's answers and those that report an
 * error, refuses a request whose AVPs break its command's grammar, and counts every answer
 * and its latency as it is sent.
 */
export class AnswerSender {
  /** When the message being handled was framed, for the latency of answers sent at once. */
  receivedAt = 0;
  /** `finish()` copies, so one writer serves every answer of the connection. */
  private readonly writer = new MessageWriter();

  constructor(
    private readonly transport: PeerTransport,
    private readonly options: PeerOptions,
    private readonly log: Logger,
    private readonly peer: { readonly originHost: string },
  ) {}

  /** Sends the answer to a request, counting it and its latency. */
  answer(request: MessageHeader, avps: readonly Avp[], answer: Buffer, startedAt = this.receivedAt): void {
    const metrics = this.options.metrics;
    if (metrics) {
      const type =
        request.commandCode === COMMAND.CREDIT_CONTROL ? findAvp(avps, CC_REQUEST_TYPE) : undefined;
      const requestType = type && type.data.length === 4 ? requestTypeLabel(type.data.readInt32BE(0)) : '';
      metrics.answered(
        request.commandCode,
        requestType,
        resultCodeOf(answer),
        (performance.now() - startedAt) / 1000,
      );
    }
    this.transport.send(answer);
  }

  /** Answers a request whose bytes could not be decoded, with what RFC 6733 §7.1 says to answer. */
  answerDecodeError(header: MessageHeader, error: DecodeError, echo?: readonly AvpDefinition[]): void {
    this.answer(
      header,
      error.decoded,
      this.errorAnswer(
        header,
        error.decoded,
        { resultCode: error.resultCode, reason: error.message, failedAvp: error.failedAvp },
        echo,
      ),
    );
  }

  /** Starts an answer to one of the base protocol's own commands, which carry no Session-Id. */
  beginAnswer(request: MessageHeader, resultCode: number): MessageWriter {
    const { avps, identity } = this.options;
    return beginAnswer(this.writer, avps, identity, request, resultCode, undefined);
  }

  /** A DWA or DPA: the common answer AVPs and Origin-State-Id (RFC 6733 §5.4.2, §5.5.2). */
  baseAnswer(request: DiameterMessage, resultCode: number): Buffer {
    const { avps, identity } = this.options;
    return this.beginAnswer(request, resultCode)
      .unsigned32(avps.originStateId, identity.originStateId)
      .finish();
  }

  errorAnswer(
    header: MessageHeader,
    avps: readonly Avp[],
    error: ErrorDetail,
    echo: readonly AvpDefinition[] = [],
  ): Buffer {
    return encodeErrorAnswer(
      this.writer,
      this.options.avps,
      this.options.identity,
      header,
      avps,
      error,
      echo,
    );
  }

  /** Validates a request against its command's grammar; answers the error and returns false when bad. */
  validate(message: DiameterMessage, echo: readonly AvpDefinition[] = []): boolean {
    const command = this.options.dictionary.command(message.commandCode, message.applicationId);
    const failure = validateAvps(this.options.dictionary, message.avps, command?.request);
    if (!failure) return true;
    this.reject(message, failure, echo);
    return false;
  }

  reject(message: DiameterMessage, error: ErrorDetail, echo: readonly AvpDefinition[] = []): void {
    this.log.warn(
      {
        originHost: this.peer.originHost || undefined,
        command: message.commandCode,
        application: message.applicationId,
        resultCode: error.resultCode,
        reason: error.reason,
        failedAvp: error.failedAvp
          ? { code: error.failedAvp.code, vendorId: error.failedAvp.vendorId }
          : undefined,
      },
      'request refused',
    );
    this.options.metrics?.protocolErrors.inc({ result_code: String(error.resultCode) });
    this.answer(message, message.avps, this.errorAnswer(message, message.avps, error, echo));
  }
}
