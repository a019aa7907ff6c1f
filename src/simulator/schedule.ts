import { Fifo } from './fifo.js';
import { Pacer } from './pacing.js';
import type { Scenario } from './scenario.js';
import type { SimSession } from './sessions.js';

/** What the schedule drives: the run's sending and starting of sessions. */
export interface ScheduleHost {
  running(): boolean;
  /** Sessions started and not ended. */
  active(): number;
  inFlight(): number;
  canStart(): boolean;
  startSession(): void;
  send(s: SimSession): void;
}

/**
 * How often the runner wakes up: often enough that a paced rate goes out in small bursts, not
 * so often that waking up costs more than sending. Concurrency mode sends on answers and only
 * needs the tick for timeouts, pauses and progress.
 */
export function tickMs(s: Scenario): number {
  const m = s.mode;
  if (m.type === 'concurrency') return 10;
  const perSecond = m.ccrPerSecond ?? m.sessionsPerSecond! * 2;
  return perSecond >= 10000 ? 1 : perSecond >= 2500 ? 2 : 5;
}

/**
 * When requests go: new sessions at the scenario's pace (or as many as keep its concurrency),
 * a session's next request after its kind's pause, and, when every CCR is paced, each request
 * in its turn.
 */
export class Schedule {
  private readonly ready = new Fifo<SimSession>();
  private readonly paused = new Map<number, Fifo<SimSession>>();
  private readonly pacer: Pacer | undefined;

  constructor(
    private readonly mode: Scenario['mode'],
    private readonly host: ScheduleHost,
  ) {
    if (mode.type === 'rate')
      this.pacer = new Pacer(mode.ccrPerSecond ?? mode.sessionsPerSecond!, mode.rampSeconds);
  }

  /** Due by the schedule but not sent. */
  get missed(): number {
    return this.pacer?.missed ?? 0;
  }

  /** Sends what is due `seconds` after the start. */
  pace(seconds: number): void {
    const m = this.mode;
    const host = this.host;
    if (m.type === 'concurrency') {
      while (host.active() < m.sessions && host.canStart()) host.startSession();
      return;
    }
    const pacer = this.pacer!;
    let due = pacer.due(seconds);
    if (m.ccrPerSecond !== undefined) {
      // Every CCR is paced: sessions waiting for their next request go first.
      while (due > 0 && this.ready.length > 0) {
        host.send(this.ready.shift()!);
        pacer.take(1);
        due--;
      }
    }
    while (due > 0 && host.canStart() && host.inFlight() < m.maxInFlight) {
      host.startSession();
      pacer.take(1);
      due--;
    }
    if (due > 0 && host.canStart()) pacer.skip(due);
  }

  /** Holds the session `ms` before its next request (or the same one again, with `resend`). */
  pause(s: SimSession, ms: number, now: number, resend: boolean): void {
    s.resend = resend;
    s.readyAt = now + ms;
    let q = this.paused.get(ms);
    if (!q) this.paused.set(ms, (q = new Fifo()));
    q.push(s);
  }

  /** The session's next request: now, or when a paced CCR is due. */
  dispatch(s: SimSession): void {
    const m = this.mode;
    if (this.host.running() && m.type === 'rate' && m.ccrPerSecond !== undefined) this.ready.push(s);
    else this.host.send(s);
  }

  releasePaused(now: number): void {
    for (const q of this.paused.values()) {
      for (let s = q.peek(); s && s.readyAt <= now; s = q.peek()) this.dispatch(q.shift()!);
    }
  }

  /** Sends every request waiting for its paced turn (the run no longer paces). */
  flushReady(): void {
    while (this.ready.length > 0) this.host.send(this.ready.shift()!);
  }

  /** Takes out every session waiting for its turn or its pause. */
  drain(): SimSession[] {
    const out = this.ready.drain();
    for (const q of this.paused.values()) for (const s of q.drain()) out.push(s);
    return out;
  }
}
