import type { Logger } from '../../logging.js';
import { MessageWriter } from '../encode.js';
import type { DiameterMessage } from '../message.js';

const REQUEST_TIMEOUT_MS = 5000;

let nextHopByHop = (Math.random() * 0xffffffff) >>> 0;
let nextEndToEnd = ((Date.now() & 0xfff) << 20) | ((Math.random() * 0xfffff) >>> 0);

/** Encodes a request with the identifiers it was given. */
export type RequestBuilder = (w: MessageWriter, ids: { hopByHop: number; endToEnd: number }) => Buffer;

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

  send(build: RequestBuilder): Promise<DiameterMessage> {
    const hopByHop = (nextHopByHop = (nextHopByHop + 1) >>> 0);
    const endToEnd = (nextEndToEnd = (nextEndToEnd + 1) >>> 0);
    const message = build(new MessageWriter(), { hopByHop, endToEnd });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(hopByHop);
        reject(new Error(`no answer from ${this.describePeer()} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(hopByHop, { resolve, reject, timer });
      this.transmit(message);
    });
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
