import type { ServiceKind } from './service-kind.js';
import type { CreditControlAnswer, CreditControlRequest, RequestType } from './types.js';
import { ResultCode } from '../errors/result-codes.js';

/**
 * A credit-control session as kept in Redis, so that any instance can serve its next request
 * (DESIGN §5). `lastNumber` and `lastAnswer` let a retransmission get the same answer again.
 */
export interface SessionRecord {
  sessionId: string;
  msisdn: string;
  kind: ServiceKind;
  tariff: string;
  currency: string;
  state: 'open' | 'closed';
  lastNumber: number;
  /** CC-Request-Type of the last request (absent in records written before it was kept). */
  lastType?: RequestType;
  lastAnswer: CreditControlAnswer;
  startedAt: number;
  updatedAt: number;
  /** Rating groups that hold a reservation now. */
  reserved: number[];
  /** Money frozen now per rating group (for the frozen-money metric). */
  held?: Record<string, number>;
  /** Service units charged per rating group over the session. */
  used: Record<string, number>;
  /** Amount charged per bucket over the session. */
  amounts: Record<string, number>;
  /** Rating levels applied (tariff or package level labels). */
  levels: string[];
  callingParty?: string;
  calledParty?: string;
  /** The tariff destination the called number matched (DESIGN §3, Destinations). */
  destination?: string;
  role?: string;
  closeReason?: string;
  /** Requested-Action of an event. */
  action?: string;
  /** Until when (ms) the Session-Id -> MSISDN record is kept. */
  ownerUntil?: number;
  /**
   * The client that opened the session (its CCR-I's Origin-Host and Origin-Realm): the
   * Destination-Host and Destination-Realm of a Re-Auth or Abort-Session request (RFC 6733
   * §6.1.4 routes a server-initiated request to the client by them).
   */
  originHost?: string;
  originRealm?: string;
  /**
   * The Diameter identity of the connected peer that sent the last request, when it is not the
   * client itself (a relay or proxy): a server-initiated request goes out over that connection.
   */
  via?: string;
  /** The instance that served the last request, and so held a connection to its peer then. */
  instance?: string;
  /**
   * The one charging call of the last request, when the record was written by that call
   * (session-carry.ts): its result is not in the record yet, and `lastAnswer` is not the last
   * request's. Readers add the result (session-pending.ts); a retransmission of that request is
   * answered by running it again, every charging call replaying its first result.
   */
  pending?: PendingCharge;
}

/** A charging call whose result the record does not hold yet. */
export interface PendingCharge {
  /** 'settle' (deduct, return, apply) or 'apply'. */
  call: 'settle' | 'apply';
  ratingGroup: number;
  /** Service units the call charged (settle). */
  used: number;
  opId: string;
  /** The rating level of the grant asked for, noted when one is made. */
  level?: string;
  /**
   * The call's result as the record keeps it (the values of its reply, balance kept-result.ts),
   * which the call itself added to the record; absent in a record of an earlier version, whose
   * call kept it under its operation id.
   */
  result?: unknown[];
}

/**
 * Why a session or event left a record: the CDR's reason. `abort`: closed here after an
 * Abort-Session-Request found no CCR-T within its bound; `unknown-at-client`: the client answered
 * a Re-Auth or Abort-Session request 5002, it no longer knows the session (RFC 6733 §7.1.5).
 */
export const CLOSE_REASONS = [
  'termination',
  'tcc-expired',
  'postpaid',
  'event',
  'abort',
  'unknown-at-client',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/**
 * A copy of the record that a request can change without changing `record`: the lists and
 * totals it changes in place are copied; strings, and the answer and pending call, which are
 * only ever replaced whole, are shared. A small part of what encoding and decoding the record
 * again would cost, for a copy made on every CCR (bench/session-record.ts). Every field is
 * named, absent ones as undefined, so that every copy has the one shape: V8 then reads their
 * fields at one place each, where copies by spread, which grow a shape of their own as a field
 * is added, were read several times slower.
 */
export function copyRecord(r: SessionRecord): SessionRecord {
  const copy: { [K in keyof Required<SessionRecord>]: SessionRecord[K] } = {
    sessionId: r.sessionId,
    msisdn: r.msisdn,
    kind: r.kind,
    tariff: r.tariff,
    currency: r.currency,
    state: r.state,
    lastNumber: r.lastNumber,
    lastType: r.lastType,
    lastAnswer: r.lastAnswer,
    startedAt: r.startedAt,
    updatedAt: r.updatedAt,
    reserved: r.reserved.slice(),
    held: r.held && { ...r.held },
    used: { ...r.used },
    amounts: { ...r.amounts },
    levels: r.levels.slice(),
    callingParty: r.callingParty,
    calledParty: r.calledParty,
    destination: r.destination,
    role: r.role,
    closeReason: r.closeReason,
    action: r.action,
    ownerUntil: r.ownerUntil,
    originHost: r.originHost,
    originRealm: r.originRealm,
    via: r.via,
    instance: r.instance,
    pending: r.pending,
  };
  return copy;
}

/** The record of a session opened (CCR-I) or an event charged (CCR-E) now, before anything is charged. */
export function newSessionRecord(init: {
  request: CreditControlRequest;
  msisdn: string;
  kind: ServiceKind;
  account: { tariff: string; currency: string };
  now: number;
  parties?: Pick<SessionRecord, 'callingParty' | 'calledParty' | 'role'>;
}): SessionRecord {
  const { request, now } = init;
  const event = request.requestType === 'event';
  return {
    sessionId: request.sessionId,
    msisdn: init.msisdn,
    kind: init.kind,
    tariff: init.account.tariff,
    currency: init.account.currency,
    state: event ? 'closed' : 'open',
    lastNumber: request.requestNumber,
    lastAnswer: { resultCode: ResultCode.SUCCESS, services: [] },
    startedAt: now,
    updatedAt: now,
    reserved: [],
    used: {},
    amounts: {},
    levels: [],
    ...init.parties,
    ...(event
      ? { closeReason: 'event' }
      : { originHost: request.originHost, originRealm: request.originRealm }),
  };
}

/**
 * Notes which peer connection and instance served the session's latest request: where a
 * Re-Auth or Abort-Session request for it is sent from (src/network-requests/).
 */
export function noteServingPeer(
  record: SessionRecord,
  request: CreditControlRequest,
  instance?: string,
): void {
  // Cleared, not deleted: a record with a field deleted becomes a slow dictionary object in V8,
  // and every read of it after, encoding included, pays for that (copyRecord).
  record.via = request.peer && request.peer !== record.originHost ? request.peer : undefined;
  if (instance) record.instance = instance;
}

/** The identity of the peer connection a request for the session goes out over. */
export function peerOf(record: SessionRecord): string | undefined {
  return record.via ?? record.originHost;
}

/**
 * The request is the session's last one again (a retransmission, RFC 4006 §5.1): same
 * CC-Request-Number and same CC-Request-Type. Another type under the same number is a new
 * request out of order, not a copy.
 */
export function isRepeat(record: SessionRecord, request: CreditControlRequest): boolean {
  return (
    request.requestNumber === record.lastNumber &&
    (record.lastType === undefined || record.lastType === request.requestType)
  );
}

/** Adds a rating level to the record once (the CDR lists each level applied). */
export function noteLevel(record: SessionRecord, level: string): void {
  if (!record.levels.includes(level)) record.levels.push(level);
}

/** Adds amounts charged per bucket to the session's totals. */
export function addAmounts(record: SessionRecord, add: Readonly<Record<string, number>>): void {
  for (const [bucket, amount] of Object.entries(add))
    record.amounts[bucket] = (record.amounts[bucket] ?? 0) + amount;
}
