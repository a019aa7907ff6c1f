import type { Charging } from '../credit-control/context.js';
import { closeSessionHere } from '../credit-control/session-abort.js';
import type { AbortSchedule } from './abort-schedule.js';

/** Sessions closed in one sweep at most; the rest wait for the next. */
const SWEEP_LIMIT = 200;

/**
 * Closes the sessions whose ASR bound has passed without a CCR-T (abort-schedule.ts): their
 * money returned and their CDR written with reason `abort` (credit-control/session-abort.ts).
 * Every instance sweeps; the session's guard lets one of them close it. A session its CCR-T
 * closed in time is only taken off the schedule.
 */
export class AbortSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly charging: Charging,
    private readonly schedule: AbortSchedule,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep (one at a time); resolves with the sessions it closed. */
  sweep(): Promise<number> {
    this.running ??= this.closeDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async closeDue(): Promise<number> {
    const { logger } = this.charging;
    let closed = 0;
    try {
      for (const due of await this.schedule.due(Date.now(), SWEEP_LIMIT)) {
        const outcome = await closeSessionHere(this.charging, due.msisdn, due.sessionId, 'abort');
        if (outcome === 'closed') {
          closed++;
          logger.warn(
            { sessionId: due.sessionId, msisdn: due.msisdn },
            'no CCR-T after the ASR: session closed here',
          );
        }
        // Raced by a request (a CCR-U of a client that ignores the ASR): closed on the next sweep.
        if (outcome !== 'raced') await this.schedule.done(due);
      }
    } catch (err) {
      logger.warn({ err }, 'closing aborted sessions failed; the next sweep tries again');
    }
    return closed;
  }
}
