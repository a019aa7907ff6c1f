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
    metrics.serviceResults.inc({
      service: record.kind,
      request_type: request.requestType,
      result_code: String(s.resultCode),
    });
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
  const labels = { service: record.kind, rating_group: String(rg) };
  if (granted.time) metrics.unitsGranted.seconds.inc(labels, granted.time);
  if (granted.totalOctets) metrics.unitsGranted.octets.inc(labels, granted.totalOctets);
  if (granted.serviceSpecificUnits) metrics.unitsGranted.messages.inc(labels, granted.serviceSpecificUnits);
  if (final) metrics.finalUnits.inc({ service: record.kind });
}
