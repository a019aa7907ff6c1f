import { GuardFailedError } from '../balance/index.js';
import { holdMoney, releaseReservation } from './charges.js';
import { tccSeconds, type Charging } from './context.js';
import { cdrOf } from './session-cdr.js';
import type { SessionRecord } from './session-record.js';

/** Bound on one supervision run: this many batches of `limit` due sessions. */
const MAX_SUPERVISION_BATCHES = 50;

/**
 * Tcc supervision (RFC 4006 §7): closes sessions silent past their Validity-Time plus the
 * grace, giving their frozen money back, and returns reservations left by any instance that
 * died. Requests do not move a session's supervision time, so an active session is due here
 * once per Validity-Time too and is put back at its real time; every due session is taken,
 * `limit` at a time, so that a busy server does not fall behind. Safe on every instance at
 * once: a session is closed with the record it was read as, so only one instance closes it.
 */
export class Supervisor {
  constructor(private readonly charging: Charging) {}

  async supervise(limit = 100): Promise<{ closed: number; reservationsExpired: number }> {
    const { sessions, logger, store } = this.charging;
    const now = this.charging.now();
    let closed = 0;
    let handedBack = 0;
    for (let batch = 0; batch < MAX_SUPERVISION_BATCHES; batch++) {
      const due = await sessions.due(now, limit);
      const outcomes = await Promise.all(
        due.map(({ msisdn, sessionId }) =>
          sessions
            .serialise(sessionId, () => this.superviseSession(msisdn, sessionId, now))
            .catch((err: unknown) => {
              logger.warn({ err, sessionId, msisdn }, 'Tcc supervision of a session failed');
              return { closed: false, expired: 0 };
            }),
        ),
      );
      for (const outcome of outcomes) {
        if (outcome.closed) closed++;
        handedBack += outcome.expired;
      }
      if (due.length < limit) break;
    }
    const swept = await store.sweepExpired(now, limit);
    return { closed, reservationsExpired: handedBack + swept.expired };
  }

  /**
   * One due session: put back at its real time, or closed when silent. `expired`: reservations
   * given back by their own expiry, which the session's record no longer named.
   */
  private async superviseSession(
    msisdn: string,
    sessionId: string,
    now: number,
  ): Promise<{ closed: boolean; expired: number }> {
    const { sessions, store } = this.charging;
    const read = await sessions.read(msisdn, sessionId);
    const record = read?.record;
    if (!read || !record || record.state !== 'open') {
      // Closed, or its record gone (every instance was down for longer than the record lives):
      // the session's reservations may have no index entry (DESIGN §5), so they are given back
      // or indexed before the entry that covers them goes.
      const { expired } = await store.handOverSessionReservations({ msisdn, sessionId, nowMs: now });
      await sessions.unsupervise(msisdn, sessionId, read?.guard.value ?? '');
      return { closed: false, expired };
    }
    const silentUntil = record.updatedAt + tccSeconds(this.charging, record.kind) * 1000;
    if (silentUntil > now) {
      await sessions.resupervise(msisdn, sessionId, silentUntil);
      return { closed: false, expired: 0 };
    }
    for (const rg of record.reserved) await releaseReservation(this.charging, record, rg, now);
    // Any reservation of the session its record does not name, before the entry covering it goes.
    const { expired } = await store.handOverSessionReservations({ msisdn, sessionId, nowMs: now });
    if (!(await this.saveClosed(record, read.guard.value, now))) return { closed: false, expired };
    for (const rg of record.reserved) holdMoney(this.charging, record, rg, 0);
    this.charging.metrics?.sessionsClosed.inc({ service: record.kind, reason: 'tcc-expired' });
    this.charging.logger.info({ sessionId, msisdn }, 'session closed by Tcc supervision');
    return { closed: true, expired };
  }

  /** Writes the session closed with its CDR, unless another instance or a request came first. */
  private async saveClosed(record: SessionRecord, asRead: string, now: number): Promise<boolean> {
    const closedRecord: SessionRecord = {
      ...record,
      reserved: [],
      held: {},
      state: 'closed',
      closeReason: 'tcc-expired',
      updatedAt: now,
    };
    const ttlSeconds = this.charging.settings.closedSessionTtlSeconds;
    try {
      await this.charging.sessions.save(closedRecord, {
        ttlSeconds,
        expect: asRead,
        unsupervise: true,
        ownerTtlSeconds: ttlSeconds,
        cdr: cdrOf(this.charging.cdrs, closedRecord, record.lastAnswer.resultCode, now),
      });
      return true;
    } catch (err) {
      // Another instance closed it first, or a request came: nothing was written here.
      if (err instanceof GuardFailedError) return false;
      throw err;
    }
  }
}
