import type { Socket } from 'node:net';
import type { Logger } from '../logging.js';
import { APPLICATION, COMMAND } from './avps.js';
import { headerBitsProblem } from './decode.js';
import { ResultCode } from '../errors/result-codes.js';
import { CommandFlags, type Avp, type DiameterMessage, type MessageHeader } from './message.js';
import { AnswerSender } from './peer/answer-sender.js';
import {
  exchangeCapabilities,
  isCapabilitiesExchange,
  refuseBeforeCapabilities,
} from './peer/capabilities-exchange.js';
import { PeerTransport, remoteAddressOf } from './peer/transport.js';
import { DisconnectCause, answerDisconnect, requestDisconnect } from './peer/disconnect.js';
import { RequestDispatcher } from './peer/dispatch.js';
import { InboundFrames } from './peer/framing.js';
import type { PeerInfo } from './peer/handler.js';
import type { PeerOptions } from './peer/options.js';
import {
  OutgoingRequests,
  type RequestBuilder,
  type RetriedAnswer,
  type RetryPolicy,
} from './peer/outgoing-requests.js';
import type { PeerState } from './peer/state.js';
import { Watchdog, answerDeviceWatchdog } from './peer/watchdog.js';

/**
 * One transport connection from a Diameter peer (RFC 6733 §5): capabilities exchange first,
 * then application requests, watchdog both ways (RFC 3539), orderly disconnect. Every
 * request gets an answer, malformed or not; a stream that can no longer be framed is
 * answered once and closed. The base protocol's own commands are served here, before any
 * application handler sees a request.
 */
export class PeerConnection implements PeerInfo {
  originHost = '';
  originRealm = '';
  readonly remoteAddress: string;
  private readonly remoteIp: string | undefined;
  private state: PeerState = 'wait-cer';
  private readonly log: Logger;
  private readonly frames: InboundFrames;
  private readonly transport: PeerTransport;
  private readonly replies: AnswerSender;
  private readonly outgoing: OutgoingRequests;
  private readonly dispatcher: RequestDispatcher;
  private readonly watchdog: Watchdog;

  constructor(
    socket: Socket,
    private readonly options: PeerOptions,
  ) {
    this.remoteAddress = remoteAddressOf(socket);
    this.remoteIp = socket.remoteAddress;
    this.log = options.logger.child({ peer: this.remoteAddress });
    this.transport = new PeerTransport(socket, this.log, {
      onData: (chunk) => this.onData(chunk),
      onClose: () => this.onClose(),
    });
    this.replies = new AnswerSender(this.transport, options, this.log, this);
    this.frames = new InboundFrames(options, this.replies, this.log, {
      state: () => this.state,
      onMessage: (message) => this.onMessage(message),
      refuseBeforeCapabilities: (header, avps) => this.refuseBeforeCapabilities(header, avps),
      end: () => this.end(),
      closeWhenAnswered: () => this.closeWhenAnswered(),
    });
    this.outgoing = new OutgoingRequests(
      (message) => this.transport.send(message),
      () => this.describe(),
      this.log,
    );
    this.dispatcher = new RequestDispatcher(options, this.replies, this.log, {
      info: this,
      state: () => this.state,
      onIdle: () => this.endWhenIdle(),
    });
    this.watchdog = new Watchdog(options, this.log, {
      state: () => this.state,
      originHost: () => this.originHost,
      end: () => this.end(),
      destroy: () => this.transport.destroy(),
      request: (build) => this.request(build),
    });
    this.watchdog.start();
    this.log.debug('connection accepted');
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get connectionState(): string {
    return this.state;
  }

  /** Sends a request to this peer and resolves with its answer (for DWR, DPR, RAR, ASR). */
  request(build: RequestBuilder): Promise<DiameterMessage> {
    return this.outgoing.send(build);
  }

  /** Sends a request until its answer is final or the policy's attempts run out (RAR, ASR). */
  requestWithRetries(build: RequestBuilder, policy: RetryPolicy): Promise<RetriedAnswer> {
    return this.outgoing.sendWithRetries(build, policy);
  }

  /** Requests of this peer admitted and not yet answered. */
  get requestsInProgress(): number {
    return this.dispatcher.inProgress;
  }

  /**
   * Orderly disconnect (RFC 6733 §5.4): once the requests in progress are answered, DPR, wait
   * for the DPA (or a timeout), close. The DPR waits for them because the DPA's receiver closes
   * the transport (§5.4), and an answer not yet sent then would be lost.
   */
  async disconnect(cause: number = DisconnectCause.REBOOTING): Promise<void> {
    if (this.state === 'open') await this.dispatcher.whenIdle();
    if (this.state === 'open') {
      this.state = 'closing';
      await requestDisconnect((build) => this.request(build), this.options, cause, this.log);
    }
    this.end();
    await this.transport.closed;
  }

  /** Drops the connection at once, whatever is in progress: a shutdown out of time. */
  abort(): Promise<void> {
    this.state = 'closed';
    this.transport.destroy();
    return this.transport.closed;
  }

  /** Resolves once the transport has closed. */
  whenClosed(): Promise<void> {
    return this.transport.closed;
  }

  private onData(chunk: Buffer): void {
    this.watchdog.heard();
    this.frames.push(chunk);
  }

  private onMessage(message: DiameterMessage): void {
    if ((message.flags & CommandFlags.Request) === 0) {
      if (this.outgoing.settle(message) && message.commandCode === COMMAND.DEVICE_WATCHDOG) {
        this.watchdog.answered();
      }
      return;
    }
    if (this.state === 'wait-cer' && !isCapabilitiesExchange(message)) {
      this.refuseBeforeCapabilities(message, message.avps);
      return;
    }
    const bitsProblem = headerBitsProblem(message);
    if (bitsProblem) {
      this.replies.reject(message, { resultCode: ResultCode.INVALID_HDR_BITS, reason: bitsProblem });
      return;
    }
    switch (this.state) {
      case 'wait-cer':
        this.onCapabilitiesExchange(message);
        return;
      case 'open':
      case 'closing':
        this.onOpenRequest(message);
        return;
      case 'closed':
        return;
    }
  }

  private refuseBeforeCapabilities(header: MessageHeader, avps: readonly Avp[]): void {
    refuseBeforeCapabilities(this.replies, header, avps);
    this.end();
  }

  private onCapabilitiesExchange(cer: DiameterMessage): void {
    const { replies, options, log } = this;
    const accepted = exchangeCapabilities(cer, {
      replies,
      options,
      log,
      localAddress: this.transport.localAddress,
      remoteIp: this.remoteIp,
    });
    if (!accepted) {
      this.end();
      return;
    }
    this.originHost = accepted.originHost;
    this.originRealm = accepted.originRealm;
    this.state = 'open';
    this.options.events?.opened(this);
  }

  private onOpenRequest(message: DiameterMessage): void {
    if (message.applicationId === APPLICATION.COMMON) {
      switch (message.commandCode) {
        case COMMAND.DEVICE_WATCHDOG:
          answerDeviceWatchdog(this.replies, message);
          return;
        case COMMAND.DISCONNECT_PEER:
          if (!answerDisconnect(this.replies, message, this.originHost, this.log)) return;
          this.state = 'closing';
          this.endWhenIdle();
          return;
        case COMMAND.CAPABILITIES_EXCHANGE:
          this.replies.reject(message, {
            resultCode: ResultCode.UNABLE_TO_COMPLY,
            reason: 'capabilities were already exchanged',
          });
          return;
      }
    }
    if (this.state === 'closing') {
      this.replies.reject(message, {
        resultCode: ResultCode.UNABLE_TO_COMPLY,
        reason: 'the connection is closing',
      });
      return;
    }
    this.dispatcher.dispatch(message);
  }

  /** Stops taking requests and closes once those in progress have been answered. */
  private closeWhenAnswered(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.endWhenIdle();
  }

  private endWhenIdle(): void {
    if (this.dispatcher.idle) this.end();
  }

  private end(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.transport.end();
  }

  private onClose(): void {
    // Only a connection that opened was announced; this.originHost is set only then.
    if (this.originHost) this.options.events?.closed(this);
    this.state = 'closed';
    this.watchdog.stop();
    this.outgoing.failAll('connection closed');
    this.log.info({ originHost: this.originHost || undefined }, 'connection closed');
  }

  private describe(): string {
    return this.originHost ? `${this.originHost} (${this.remoteAddress})` : this.remoteAddress;
  }
}
