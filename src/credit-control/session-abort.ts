import { GuardFailedError, ReservationNotFoundError, makeOpId } from '../balance/index.js';
import type { Charging } from './context.js';
import { cdrOf } from './session-cdr.js';
import type { CloseReason, SessionRecord } from './session-record.js';

/** What closing a session here came to. */
export type CloseHereOutcome = 'closed' | 'not-open' | 'raced';

/**
 * Closes an open session on the server's side, without a CCR-T: after an Abort-Session-Request
 * found none within its bound (`abort`), or when the client answered a Re-Auth or Abort-Session
 * request 5002 (`unknown-at-client`, RFC 6733 §8.3.1, §8.5.2). Every reservation is returned,
 * the CDR written with the reason, and the session taken off supervision, as Tcc supervision
 * does (RFC 4006 §7). The record is written only while it is still the one read: a request
 * that came meanwhile (the CCR-T after all) wins, and 'raced' says so; the money it finds
 * returned it charges from what is available (charges.ts, late usage).
 */
export async function closeSessionHere(
  charging: Charging,
  msisdn: string,
  sessionId: string,
  reason: Extract<CloseReason, 'abort' | 'unknown-at-client'>,
): Promise<CloseHereOutcome> {
  const { sessions } = charging;
  return sessions.serialise(sessionId, async () => {
    const read = await sessions.read(msisdn, sessionId);
    const record = read?.record;
    if (!read || !record || record.state !== 'open') return 'not-open';
    const now = charging.now();
    for (const rg of record.reserved) {
      try {
        // One operation id for every instance that closes it: the money is returned once.
        await charging.store.release({
          opId: makeOpId(sessionId, record.lastNumber, `${reason}:${rg}`),
          msisdn,
          sessionId,
          ratingGroup: rg,
          nowMs: now,
        });
      } catch (err) {
        if (!(err instanceof ReservationNotFoundError)) throw err;
      }
    }
    // Any reservation of the session its record does not name, before its supervision goes
    // (a supervised session's reservations have no index entry: DESIGN §5).
    await charging.store.handOverSessionReservations({ msisdn, sessionId, nowMs: now });
    const closed: SessionRecord = {
      ...record,
      reserved: [],
      held: {},
      state: 'closed',
      closeReason: reason,
      updatedAt: now,
    };
    const ttlSeconds = charging.settings.closedSessionTtlSeconds;
    sessions.forget(sessionId);
    try {
      await sessions.save(closed, {
        ttlSeconds,
        expect: read.guard.value,
        unsupervise: true,
        ownerTtlSeconds: ttlSeconds,
        cdr: cdrOf(charging.cdrs, closed, record.lastAnswer.resultCode, now),
      });
    } catch (err) {
      if (err instanceof GuardFailedError) return 'raced';
      throw err;
    }
    charging.metrics?.sessionsClosed.inc({ service: record.kind, reason });
    charging.logger.info({ sessionId, msisdn, reason }, 'session closed here');
    return 'closed';
  });
}
