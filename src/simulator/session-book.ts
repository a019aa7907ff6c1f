import type { SessionMaker } from './kinds.js';
import type { Peer } from './peers.js';
import type { SimSession } from './sessions.js';
import type { Stats } from './stats.js';

/** The run's sessions: how many were started and are in progress, and how each ended, by kind. */
export class SessionBook {
  started = 0;
  active = 0;
  /** Sessions in progress by Session-Id: what a RAR or ASR of the server names. */
  private readonly inProgress = new Map<string, SimSession>();

  constructor(
    private readonly maker: SessionMaker,
    private readonly stats: Stats,
  ) {}

  /** A new session of the mix on `peer`. */
  start(peer: Peer): SimSession {
    const s = this.maker.make(peer.index, peer.originHost);
    this.inProgress.set(s.id, s);
    this.started++;
    this.active++;
    this.stats.kind(this.maker.kind(s.kindIndex).name).started++;
    return s;
  }

  /** The session in progress with this Session-Id. */
  find(sessionId: string): SimSession | undefined {
    return this.inProgress.get(sessionId);
  }

  complete(s: SimSession): void {
    this.inProgress.delete(s.id);
    this.active--;
    const counts = this.stats.kind(this.maker.kind(s.kindIndex).name);
    counts.completed++;
    if (s.refused) counts.refused++;
  }

  /** Cuts `s` short; false when it had ended already. */
  abort(s: SimSession): boolean {
    if (s.done) return false;
    s.done = true;
    this.inProgress.delete(s.id);
    this.active--;
    this.stats.kind(this.maker.kind(s.kindIndex).name).aborted++;
    return true;
  }
}
