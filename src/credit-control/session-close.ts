import { countAnswer } from './answer-metrics.js';
import { tccSeconds, type Charging } from './context.js';
import { cdrOf } from './session-cdr.js';
import { noteServingPeer, type SessionRecord } from './session-record.js';
import type { CreditControlAnswer, CreditControlRequest } from './types.js';

/**
 * Saves the session after a request with the answer it got, so that a retransmission gets it
 * again; a session or event that closed writes its CDR with it, in the same script call.
 */
export async function saveAfterRequest(
  charging: Charging,
  record: SessionRecord,
  request: CreditControlRequest,
  answer: CreditControlAnswer,
  state: 'open' | 'closed',
): Promise<CreditControlAnswer> {
  const now = charging.now();
  record.lastNumber = request.requestNumber;
  record.lastType = request.requestType;
  record.lastAnswer = answer;
  record.updatedAt = now;
  if (state === 'open') noteServingPeer(record, request, charging.instanceId);
  const { settings, metrics } = charging;
  if (metrics) countAnswer(metrics, record, request, answer, state);
  const cdr =
    state === 'closed' && record.closeReason
      ? cdrOf(charging.cdrs, record, answer.resultCode, now)
      : undefined;
  // Only a CCR-I puts a session under supervision and only its close takes it off: an update
  // does not move the supervision time (supervision finds the real one in the record).
  const wasOpen = request.requestType === 'update' || request.requestType === 'termination';
  const guard = charging.guards.take(record);
  const expect = guard ? { expect: guard.value } : {};
  if (state === 'closed') {
    record.state = 'closed';
    const ttlSeconds = settings.closedSessionTtlSeconds;
    await charging.sessions.save(record, {
      ttlSeconds,
      ...expect,
      unsupervise: wasOpen,
      // Closed, the session needs it only while its record answers retransmissions.
      ...(wasOpen ? { ownerTtlSeconds: ttlSeconds } : {}),
      ...(cdr ? { cdr } : {}),
    });
  } else {
    const open = tccSeconds(charging, record.kind);
    const ttlSeconds = open + settings.closedSessionTtlSeconds;
    await charging.sessions.save(record, {
      ttlSeconds,
      ...expect,
      ...(wasOpen ? {} : { superviseUntilMs: now + open * 1000 }),
      ...ownerRefresh(record, now, ttlSeconds),
    });
  }
  return answer;
}

/**
 * The Session-Id -> MSISDN record (for requests without Subscription-Id) must last as long as
 * the session record. Kept twice as long as the record needs, it is written when the session
 * opens and again only when less than that is left: once an hour or so, not every request.
 */
function ownerRefresh(record: SessionRecord, now: number, ttlSeconds: number): { ownerTtlSeconds?: number } {
  if ((record.ownerUntil ?? 0) - now >= ttlSeconds * 1000) return {};
  record.ownerUntil = now + 2 * ttlSeconds * 1000;
  return { ownerTtlSeconds: 2 * ttlSeconds };
}
