import type { Charging } from './context.js';
import { ChargingRefusal } from './refusals.js';
import { isRepeat, type SessionRecord } from './session-record.js';
import type { CreditControlAnswer, CreditControlRequest } from './types.js';

/** The served account's MSISDN (RFC 4006 §8.46 Subscription-Id); a request naming none is refused. */
export async function servedAccount(charging: Charging, request: CreditControlRequest): Promise<string> {
  if (request.subscriptionIds.length === 0) {
    throw new ChargingRefusal(
      'SUBSCRIPTION_ID_MISSING',
      'Subscription-Id is required to find the account',
      'Subscription-Id',
    );
  }
  const msisdn = await charging.subscribers.resolve(request.subscriptionIds);
  if (!msisdn) throw new ChargingRefusal('SUBSCRIBER_UNKNOWN', 'no Subscription-Id names a known subscriber');
  return msisdn;
}

/**
 * The session a CCR-U or CCR-T continues: the record this instance last wrote when it has it
 * (with the guard its first write must carry), else the one in Redis, found by the account or,
 * for a request without Subscription-Id, by the Session-Id's owner record.
 */
export async function sessionOf(charging: Charging, request: CreditControlRequest): Promise<SessionRecord> {
  const served = request.subscriptionIds.length
    ? await charging.subscribers.resolve(request.subscriptionIds)
    : undefined;
  const recalled = charging.sessions.recall(request.sessionId, served);
  if (recalled) {
    charging.guards.remember(recalled.record, recalled.guard);
    return recalled.record;
  }
  const msisdn = served ?? (await charging.sessions.ownerOf(request.sessionId));
  const record = msisdn ? (await charging.sessions.read(msisdn, request.sessionId, true))?.record : undefined;
  if (!record) throw new ChargingRefusal('SESSION_UNKNOWN', `no session ${request.sessionId}`);
  if (!isReplay(record, request)) await charging.sessions.addPendingResult(record);
  return record;
}

/**
 * The request is the retransmission of one whose charging call wrote the session record: the
 * record holds the session as it was before that call, and the request is answered by running
 * it again on it, each charging call replaying its first result, writing nothing.
 */
export function isReplay(record: SessionRecord, request: CreditControlRequest): boolean {
  return record.pending !== undefined && isRepeat(record, request);
}

/** The session has already seen this request's number, or is closed: the request is not new. */
export function isSeen(record: SessionRecord, request: CreditControlRequest): boolean {
  return record.lastNumber >= request.requestNumber || record.state === 'closed';
}

/**
 * A request whose number the session has already seen: the same number is a retransmission
 * and gets the first answer again, charging nothing twice; an older one is out of order.
 */
export function repeatOrRefuse(record: SessionRecord, request: CreditControlRequest): CreditControlAnswer {
  if (isRepeat(record, request)) return record.lastAnswer;
  if (record.state === 'closed')
    throw new ChargingRefusal('SESSION_UNKNOWN', `session ${request.sessionId} is closed`);
  throw new ChargingRefusal(
    'REQUEST_OUT_OF_ORDER',
    `CC-Request-Number ${request.requestNumber} is not after ${record.lastNumber}, the session's last`,
    'CC-Request-Number',
  );
}
