import type { Logger } from '../../logging.js';
import { APPLICATION } from '../avps.js';
import { ResultCode } from '../../errors/result-codes.js';
import type { DiameterMessage } from '../message.js';
import type { AnswerSender } from './answer-sender.js';
import { LocalDelivery } from './delivery.js';
import { handlerKey, type PeerInfo } from './handler.js';
import type { PeerOptions } from './options.js';
import type { PeerState } from './state.js';

/** What the dispatcher sees of its peer. */
export interface DispatchingPeer {
  readonly info: PeerInfo;
  state(): PeerState;
  /** The last request in progress was answered. */
  onIdle(): void;
}

/**
 * Application requests of an open peer: the handler for the command (3001 or 3007 without
 * one, RFC 6733 §7.1.3), the command's grammar, whether the request is ours to serve (3005 for
 * a loop, 3002 for another Destination-Host, RFC 6733 §6.1.3-§6.1.4), admission (3004 TOO_BUSY
 * past the shared limit, or while the server drains), then the handler's answer, or 5012 when it
 * fails. Counts the requests in progress so that a closing peer is closed only once they are
 * answered.
 */
export class RequestDispatcher {
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly delivery: LocalDelivery;

  constructor(
    private readonly options: PeerOptions,
    private readonly replies: AnswerSender,
    private readonly log: Logger,
    private readonly peer: DispatchingPeer,
  ) {
    this.delivery = new LocalDelivery(options.avps, options.identity);
  }

  get idle(): boolean {
    return this.inFlight === 0;
  }

  /** Requests of this peer admitted and not yet answered. */
  get inProgress(): number {
    return this.inFlight;
  }

  /** Resolves once every request in progress has been answered (at once when there is none). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispatch(message: DiameterMessage): void {
    const handler = this.options.handlers.get(handlerKey(message.applicationId, message.commandCode));
    if (!handler) {
      const supported =
        message.applicationId === APPLICATION.COMMON ||
        this.options.applicationIds.includes(message.applicationId);
      this.replies.reject(
        message,
        supported
          ? {
              resultCode: ResultCode.COMMAND_UNSUPPORTED,
              reason: `command ${message.commandCode} is not served`,
            }
          : {
              resultCode: ResultCode.APPLICATION_UNSUPPORTED,
              reason: `application ${message.applicationId} is not served`,
            },
      );
      return;
    }
    if (!this.replies.validate(message, handler.echoOnError)) return;
    const notOurs = this.delivery.refusal(message.avps);
    if (notOurs) {
      this.replies.reject(message, notOurs);
      return;
    }
    const { admission } = this.options;
    if (!admission.tryAcquire()) {
      this.replies.reject(message, {
        resultCode: ResultCode.TOO_BUSY,
        reason: admission.draining ? 'the server is shutting down' : 'too many requests in progress',
      });
      return;
    }
    this.inFlight++;
    const startedAt = this.replies.receivedAt;
    handler.handle(message, this.peer.info).then(
      (answer) => this.finish(message, answer, startedAt),
      (err: unknown) => {
        this.log.error({ err, command: message.commandCode }, 'request handler failed');
        this.finish(
          message,
          this.replies.errorAnswer(
            message,
            message.avps,
            { resultCode: ResultCode.UNABLE_TO_COMPLY, reason: 'internal error' },
            handler.echoOnError,
          ),
          startedAt,
        );
      },
    );
  }

  private finish(request: DiameterMessage, answer: Buffer, startedAt: number): void {
    this.options.admission.release();
    this.inFlight--;
    const state = this.peer.state();
    if (state !== 'closed') this.replies.answer(request, request.avps, answer, startedAt);
    if (this.inFlight > 0) return;
    if (state === 'closing') this.peer.onIdle();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
