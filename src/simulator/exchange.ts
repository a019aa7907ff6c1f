import { performance } from 'node:perf_hooks';
import { AnswerInfo, MalformedAnswerError, type AnswerReader } from './answers.js';
import { requestAgain } from './busy-retry.js';
import { hopByHopOf } from './header.js';
import type { Peer } from './peers.js';
import type { SimSession } from './sessions.js';
import type { Stats } from './stats.js';

/** What becomes of a session once its request is answered, or never will be. */
export interface AnswerHandler {
  /** The answer to `s`'s request, read into `a` (both valid only during the call). */
  answered(s: SimSession, a: AnswerInfo, frame: Buffer, now: number): void;
  /** `s`'s request will count no answer: unreadable, timed out, or its connection lost. */
  lost(s: SimSession): void;
}

/**
 * Sends sessions' requests and matches each answer to its request by Hop-by-Hop Identifier
 * (RFC 6733 §3), per peer. A peer's requests wait in the order they were sent, so the
 * timeout sweep stops at the first that is still young.
 */
export class Exchange {
  inFlight = 0;
  /** Answers whose request had timed out already. */
  lateAnswers = 0;
  /** Answers that could not be read (bad AVP lengths). */
  malformed = 0;
  lastAnswerAt = 0;
  private readonly answer = new AnswerInfo();

  constructor(
    private readonly reader: AnswerReader,
    private readonly stats: Stats,
    private readonly timeoutMs: number,
    private readonly handler: AnswerHandler,
  ) {}

  /** Writes `s`'s next request, or the one the server was too busy for, under a new Hop-by-Hop id. */
  send(peer: Peer, s: SimSession): void {
    const hop = peer.client.nextHopByHop();
    let bytes: Buffer;
    if (s.resend && s.lastRequest) {
      bytes = requestAgain(s, hop);
    } else {
      bytes = s.write(peer.writer, hop, Date.now());
      s.lastRequest = bytes;
      s.sentAt = performance.now();
      this.stats.sent[s.requestType]!++;
    }
    peer.pending.set(hop, s);
    this.inFlight++;
    peer.write(bytes);
  }

  onFrame(peer: Peer, frame: Buffer): void {
    const a = this.answer;
    try {
      this.reader.read(frame, a);
    } catch (err) {
      if (!(err instanceof MalformedAnswerError)) throw err;
      this.onUnreadable(peer, frame, err);
      return;
    }
    const s = peer.pending.get(a.hopByHop);
    if (!s) {
      this.lateAnswers++;
      return;
    }
    peer.pending.delete(a.hopByHop);
    this.inFlight--;
    const now = performance.now();
    this.lastAnswerAt = now;
    this.handler.answered(s, a, frame, now);
  }

  /** Gives up every request that has waited longer than the answer timeout. */
  sweepTimeouts(peers: readonly Peer[], now: number): void {
    const limit = now - this.timeoutMs;
    for (const peer of peers) {
      for (const [hop, s] of peer.pending) {
        if (s.sentAt > limit) break;
        peer.pending.delete(hop);
        this.inFlight--;
        this.stats.timeout(s.requestType);
        this.handler.lost(s);
      }
    }
  }

  /** Gives up every request still waiting on `peer`: answers that come later do not count. */
  giveUp(peer: Peer): void {
    for (const s of peer.pending.values()) {
      this.inFlight--;
      this.handler.lost(s);
    }
    peer.pending.clear();
  }

  private onUnreadable(peer: Peer, frame: Buffer, err: MalformedAnswerError): void {
    this.malformed++;
    const hop = hopByHopOf(frame);
    const s = peer.pending.get(hop);
    if (!s) return;
    peer.pending.delete(hop);
    this.inFlight--;
    this.stats.unexpectedAnswer(s.requestType, 'command', 0, s.id, () => err.message);
    this.handler.lost(s);
  }
}
