import type { Stats } from './stats.js';

export type Phase = 'connecting' | 'running' | 'draining' | 'stopping' | 'done';

/** A snapshot for the live progress line. */
export interface Progress {
  seconds: number;
  /** Answers per second over the last interval. */
  perSecond: number;
  inFlight: number;
  activeSessions: number;
  sent: number;
  answered: number;
  /** Unexpected answers and timeouts so far. */
  errors: number;
  phase: Phase;
}

/** What the run is doing, as the progress line shows it beside the counters. */
export type RunState = Pick<Progress, 'seconds' | 'inFlight' | 'activeSessions' | 'phase'>;

/** Hands a snapshot to the listener once per interval; the rate is that of the last interval. */
export class ProgressReporter {
  private last = 0;

  constructor(
    private readonly stats: Stats,
    private readonly onProgress: ((p: Progress) => void) | undefined,
    private readonly intervalMs = 1000,
  ) {}

  start(now: number): void {
    this.last = now;
  }

  due(now: number): boolean {
    return now - this.last >= this.intervalMs;
  }

  report(now: number, run: RunState): void {
    const interval = (now - this.last) / 1000;
    this.last = now;
    const perSecond = interval > 0 ? this.stats.answeredSinceTick / interval : 0;
    this.stats.answeredSinceTick = 0;
    this.onProgress?.({
      seconds: run.seconds,
      perSecond,
      inFlight: run.inFlight,
      activeSessions: run.activeSessions,
      sent: this.stats.totalSent,
      answered: this.stats.totalAnswered,
      errors: this.stats.errorsSinceStart,
      phase: run.phase,
    });
  }
}
