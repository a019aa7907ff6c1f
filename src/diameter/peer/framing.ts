import type { Logger } from '../../logging.js';
import { DecodeError, decodeAvps, messageOf, readHeader } from '../decode.js';
import { FrameReader } from '../frame-reader.js';
import {
  CommandFlags,
  HEADER_LENGTH,
  type Avp,
  type DiameterMessage,
  type MessageHeader,
} from '../message.js';
import type { AnswerSender } from './answer-sender.js';
import { isCapabilitiesExchange } from './capabilities-exchange.js';
import { handlerKey } from './handler.js';
import type { PeerOptions } from './options.js';
import type { PeerState } from './state.js';

/** What framing sees of its peer and may do to it. */
export interface FramedPeer {
  state(): PeerState;
  /** A well-formed message, for the state machine to serve. */
  onMessage(message: DiameterMessage): void;
  /** A request before the CER (RFC 6733 §5.6): refused, and the connection closes. */
  refuseBeforeCapabilities(header: MessageHeader, avps: readonly Avp[]): void;
  end(): void;
  closeWhenAnswered(): void;
}

/**
 * Turns the bytes a peer sends into decoded messages. A malformed message never throws out
 * of here and every request is answered: one whose AVPs cannot be decoded with the error
 * (RFC 6733 §7.1.5), after which the stream goes on; one that cannot even be framed (a bad
 * version or length) likewise, after which nothing more is read and the connection closes.
 */
export class InboundFrames {
  private readonly reader: FrameReader;

  constructor(
    private readonly options: PeerOptions,
    private readonly replies: AnswerSender,
    private readonly log: Logger,
    private readonly peer: FramedPeer,
  ) {
    this.reader = new FrameReader(options.maxMessageBytes);
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
    for (;;) {
      const next = this.reader.next();
      if (next === undefined) return;
      if (Buffer.isBuffer(next)) {
        this.decode(next);
        continue;
      }
      this.log.warn(
        { reason: next.error.message, resultCode: next.error.resultCode },
        'unframeable message; closing',
      );
      if ((next.header.flags & CommandFlags.Request) !== 0) {
        this.replies.receivedAt = performance.now();
        this.replies.answerDecodeError(next.header, next.error);
      }
      this.peer.closeWhenAnswered();
      return;
    }
  }

  private decode(raw: Buffer): void {
    this.replies.receivedAt = performance.now();
    const header = readHeader(raw);
    let avps: Avp[];
    try {
      avps = decodeAvps(raw, HEADER_LENGTH, header.length);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.log.warn({ command: header.commandCode, reason: err.message }, 'malformed AVPs');
      if ((header.flags & CommandFlags.Request) !== 0) this.answerMalformed(header, err);
      return;
    }
    this.peer.onMessage(messageOf(header, avps, raw));
  }

  private answerMalformed(header: MessageHeader, error: DecodeError): void {
    const waitingForCer = this.peer.state() === 'wait-cer';
    if (waitingForCer && !isCapabilitiesExchange(header)) {
      this.peer.refuseBeforeCapabilities(header, error.decoded);
      return;
    }
    const handler = this.options.handlers.get(handlerKey(header.applicationId, header.commandCode));
    this.replies.answerDecodeError(header, error, handler?.echoOnError);
    if (waitingForCer) this.peer.end();
  }
}
