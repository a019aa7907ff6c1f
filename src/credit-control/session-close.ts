import { countAnswer } from './answer-metrics.js';
import { tccSeconds, type Charging } from './context.js';
import { cdrOf } from './session-cdr.js';
import { noteServingPeer, type SessionRecord } from './session-record.js';
import type { SaveOptions } from './sessions.js';
import type { CreditControlAnswer, CreditControlRequest } from './types.js';

/** How the request's session write goes, besides the plain one after the answer. */
export interface SaveWay {
  /** The write its charging call may have carried (session-carry.ts's CarryPlan). */
  carried?: { stored(): { raw: string; now: number; op: string } | undefined };
  /** The request is a retransmission run again to rebuild its answer: nothing is written. */
  replay?: boolean;
}

/**
 * Saves the session after a request with the answer it got, so that a retransmission gets it
 * again; a session or event that closed writes its CDR with it, in the same script call. When
 * the request's one charging call wrote the record already, nothing more goes to Redis.
 */
export async function saveAfterRequest(
  charging: Charging,
  record: SessionRecord,
  request: CreditControlRequest,
  answer: CreditControlAnswer,
  state: 'open' | 'closed',
  way: SaveWay = {},
): Promise<CreditControlAnswer> {
  if (way.replay) return answer;
  const carried = way.carried?.stored();
  const now = carried?.now ?? charging.now();
  const options = prepareSave(charging, record, request, state, now);
  record.lastAnswer = answer;
  if (charging.metrics) countAnswer(charging.metrics, record, request, answer, state);
  if (carried) {
    charging.sessions.remember(record, carried.raw, carried.op);
    return answer;
  }
  if (state === 'closed' && record.closeReason)
    options.cdr = cdrOf(charging.cdrs, record, answer.resultCode, now);
  const guard = charging.guards.take(record);
  if (guard) options.expect = guard.value;
  await charging.sessions.save(record, options);
  return answer;
}

/**
 * The request's changes to its session record besides what it charged, made at `now`, and what
 * the record's save writes with it (all but the CDR and the guard).
 */
export function prepareSave(
  charging: Charging,
  record: SessionRecord,
  request: CreditControlRequest,
  state: 'open' | 'closed',
  now: number,
): SaveOptions {
  const { settings } = charging;
  record.lastNumber = request.requestNumber;
  record.lastType = request.requestType;
  // A CCR-I's time is the session's start: the record then keeps one time, not two.
  record.updatedAt = request.requestType === 'initial' ? record.startedAt : now;
  // Only a CCR-I puts a session under supervision and only its close takes it off: an update
  // does not move the supervision time (supervision finds the real one in the record).
  const wasOpen = request.requestType === 'update' || request.requestType === 'termination';
  if (state === 'closed') {
    record.state = 'closed';
    const ttlSeconds = settings.closedSessionTtlSeconds;
    return {
      ttlSeconds,
      unsupervise: wasOpen,
      // Closed, the session needs it only while its record answers retransmissions.
      ...(wasOpen ? { ownerTtlSeconds: ttlSeconds } : {}),
    };
  }
  noteServingPeer(record, request, charging.instanceId);
  const open = tccSeconds(charging, record.kind);
  const ttlSeconds = open + settings.closedSessionTtlSeconds;
  return {
    ttlSeconds,
    ...(wasOpen ? {} : { superviseUntilMs: now + open * 1000 }),
    ...ownerRefresh(record, now, ttlSeconds),
  };
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
