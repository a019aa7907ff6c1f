import type { Logger } from '../../logging.js';
import { MessageWriter } from '../encode.js';
import type { DiameterMessage } from '../message.js';

/** How long a request waits for its answer unless told otherwise. */
const REQUEST_TIMEOUT_MS = 5000;

let nextHopByHop = (Math.random() * 0xffffffff) >>> 0;
let nextEndToEnd = ((Date.now() & 0xfff) << 20) | ((Math.random() * 0xfffff) >>> 0);

/** The identifiers of one transmission of a request, and whether it is a retransmission (T bit). */
export interface RequestIds {
  hopByHop: number;
  endToEnd: number;
  retransmission: boolean;
}

/** Encodes a request with the identifiers it was given. */
export type RequestBuilder = (w: MessageWriter, ids: RequestIds) => Buffer;

/** How one request is sent: its answer timeout, and the End-to-End id of the first transmission. */
export interface SendOptions {
  timeoutMs?: number;
  /** A retransmission of the request sent with this End-to-End Identifier (RFC 6733 §3). */
  retransmitOf?: number;
}

/** How a request is retried: attempts in all, the timeout of each, the pause after an error answer. */
export interface RetryPolicy {
  attempts: number;
  timeoutMs: number;
  /** Whether an answer ends the attempts (success, or an error no retry can mend). */
  final(answer: DiameterMessage): boolean;
  /** Pause before the next attempt after the answer of attempt `n` (from 1) was not final. */
  pauseMs?: (attempt: number) => number;
}

/** The last answer of a retried request, or none when no attempt was answered. */
export interface RetriedAnswer {
  answer: DiameterMessage | undefined;
  attempts: number;
  /** Why the last attempt got no answer. */
  error?: Error;
}

/** A request that the peer did not answer in time. */
export class AnswerTimeoutError extends Error {
  override name = 'AnswerTimeoutError';
}

interface Waiter {
  resolve(m: DiameterMessage): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Requests we send to one peer (DWR, DPR, RAR, ASR) and the answers they wait for, matched by
 * Hop-by-Hop Identifier (RFC 6733 §3); a request left unanswered fails after a timeout.
 */
export class OutgoingRequests {
  private readonly pending = new Map<number, Waiter>();

  constructor(
    private readonly transmit: (message: Buffer) => void,
    private readonly describePeer: () => string,
    private readonly log: Logger,
  ) {}

  send(build: RequestBuilder, options: SendOptions = {}): Promise<DiameterMessage> {
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const hopByHop = (nextHopByHop = (nextHopByHop + 1) >>> 0);
    const retransmission = options.retransmitOf !== undefined;
    const endToEnd = options.retransmitOf ?? (nextEndToEnd = (nextEndToEnd + 1) >>> 0);
    const message = build(new MessageWriter(), { hopByHop, endToEnd, retransmission });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(hopByHop);
        reject(new AnswerTimeoutError(`no answer from ${this.describePeer()} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(hopByHop, { resolve, reject, timer });
      this.transmit(message);
    });
  }

  /**
   * Sends a request until an answer is final or the attempts run out. A request unanswered in
   * time goes again as a retransmission: the same End-to-End Identifier with the T bit, so the
   * peer can tell it from a new one (RFC 6733 §3, §5.5.4). After an answer that is not final
   * the request is sent anew, a new request, once the pause has passed.
   */
  async sendWithRetries(build: RequestBuilder, policy: RetryPolicy): Promise<RetriedAnswer> {
    let sentEndToEnd = 0;
    let retransmitOf: number | undefined;
    let last: RetriedAnswer = { answer: undefined, attempts: 0 };
    const tracked: RequestBuilder = (w, ids) => {
      sentEndToEnd = ids.endToEnd;
      return build(w, ids);
    };
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
      const options: SendOptions = { timeoutMs: policy.timeoutMs };
      if (retransmitOf !== undefined) options.retransmitOf = retransmitOf;
      try {
        const answer = await this.send(tracked, options);
        last = { answer, attempts: attempt };
        if (policy.final(answer)) return last;
        retransmitOf = undefined;
        const pause = policy.pauseMs?.(attempt) ?? 0;
        if (pause > 0 && attempt < policy.attempts) await new Promise((r) => setTimeout(r, pause));
      } catch (err) {
        last = { answer: undefined, attempts: attempt, error: err as Error };
        // A connection gone fails every attempt alike: no point in the rest.
        if (!(err instanceof AnswerTimeoutError)) return last;
        retransmitOf = sentEndToEnd;
      }
    }
    return last;
  }

  /**
   * Hands an answer to the request it answers; one that answers none of ours is dropped.
   * Returns whether it answered one of ours.
   */
  settle(answer: DiameterMessage): boolean {
    const waiter = this.pending.get(answer.hopByHop);
    if (!waiter) {
      this.log.debug(
        { command: answer.commandCode, hopByHop: answer.hopByHop },
        'answer to no request of ours; dropped',
      );
      return false;
    }
    this.pending.delete(answer.hopByHop);
    clearTimeout(waiter.timer);
    waiter.resolve(answer);
    return true;
  }

  /** Fails every request still waiting: no answer can come any more. */
  failAll(reason: string): void {
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(reason));
    }
    this.pending.clear();
  }
}
