import type { ChargingMetrics } from './metrics.js';
import type { SessionRecord } from './session-record.js';
import type { CreditControlAnswer, CreditControlRequest, GrantedServiceUnits } from './types.js';

/** Counts what an answer tells: sessions opened and closed, Result-Codes per service, units granted. */
export function countAnswer(
  metrics: ChargingMetrics,
  record: SessionRecord,
  request: CreditControlRequest,
  answer: CreditControlAnswer,
  state: 'open' | 'closed',
): void {
  if (request.requestType === 'initial' && state === 'open')
    metrics.sessionsOpened.inc({ service: record.kind });
  if (state === 'closed' && record.closeReason) {
    metrics.sessionsClosed.inc({ service: record.kind, reason: record.closeReason });
  }
  for (const s of answer.services) {
    metrics.countServiceResult(record.kind, request.requestType, s.resultCode);
    countGrant(metrics, record, s.ratingGroup ?? 0, s.granted, s.finalUnitIndication !== undefined);
  }
  if (answer.granted)
    countGrant(metrics, record, 0, answer.granted, answer.finalUnitIndication !== undefined);
}

function countGrant(
  metrics: ChargingMetrics,
  record: SessionRecord,
  rg: number,
  granted: GrantedServiceUnits | undefined,
  final: boolean,
): void {
  if (!granted) return;
  if (granted.time) metrics.countGranted('seconds', record.kind, rg, granted.time);
  if (granted.totalOctets) metrics.countGranted('octets', record.kind, rg, granted.totalOctets);
  if (granted.serviceSpecificUnits)
    metrics.countGranted('messages', record.kind, rg, granted.serviceSpecificUnits);
  if (final) metrics.finalUnits.inc({ service: record.kind });
}
