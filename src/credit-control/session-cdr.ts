import type { CdrEntry, CdrWriter } from './cdr.js';
import type { SessionRecord } from './session-record.js';

/** The CDR of a session or event that closed at `endedAt`, from its record (DESIGN §2: usage is always recorded). */
export function cdrOf(cdrs: CdrWriter, record: SessionRecord, resultCode: number, endedAt: number): CdrEntry {
  return cdrs.entry({
    sessionId: record.sessionId,
    msisdn: record.msisdn,
    service: record.kind,
    ...(record.callingParty ? { callingParty: record.callingParty } : {}),
    ...(record.calledParty ? { calledParty: record.calledParty } : {}),
    ...(record.destination ? { destination: record.destination } : {}),
    ...(record.role ? { role: record.role } : {}),
    used: record.used,
    amounts: record.amounts,
    levels: record.levels,
    startedAt: record.startedAt,
    endedAt,
    resultCode,
    reason: record.closeReason ?? 'termination',
    ...(record.action ? { action: record.action } : {}),
  });
}
