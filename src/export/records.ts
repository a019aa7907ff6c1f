/**
 * The lines of the exported files (docs/export.md, "Schema"). Every record carries the `version`
 * of its kind's layout and an `id` that is the same however often the record is written: the
 * account's MSISDN and the record's stream id, `<msisdn>:<ms>-<seq>`. A consumer that sees an id
 * twice keeps one.
 */
import { csvLine } from '../admin/cdr-format.js';
import type { LedgerEntry } from '../balance/types.js';
import type { StoredChargingRecord } from '../credit-control/cdr.js';

export const CDR_SCHEMA_VERSION = 1;
/**
 * 2: a CCR-U or CCR-T is one `settle` line carrying the net of its deduct, return and new grant,
 * where version 1 had up to three lines (`deduct`, `return`, `apply`): a consumer of version 1
 * that reads usage from `deduct` lines would miss it. Lines of those ops remain possible.
 */
export const LEDGER_SCHEMA_VERSION = 2;

export function recordId(msisdn: string, streamId: string): string {
  return `${msisdn}:${streamId}`;
}

/** The MSISDN and stream id of a record id, or undefined when it is not one. */
export function parseRecordId(id: string): { msisdn: string; streamId: string } | undefined {
  const colon = id.lastIndexOf(':');
  const streamId = id.slice(colon + 1);
  if (colon < 1 || !/^\d+-\d+$/.test(streamId)) return undefined;
  return { msisdn: id.slice(0, colon), streamId };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One ledger entry: a balance change of one account (src/balance/lua/includes/ledger.lua). */
export function ledgerLine(msisdn: string, e: LedgerEntry): string {
  return `${JSON.stringify({
    version: LEDGER_SCHEMA_VERSION,
    id: recordId(msisdn, e.id),
    msisdn,
    time: iso(e.ts),
    op: e.op,
    opId: e.opId,
    sessionId: e.session,
    ratingGroup: e.ratingGroup,
    deltas: e.deltas,
    moneyAvailableAfter: e.moneyAvailableAfter,
    extra: e.extra,
  })}\n`;
}

/**
 * The CDR of the account's stream as its files carry it; `moneyCharged` is what the money bucket
 * gave (0: free units or bundles only).
 */
export function cdrRecord(account: string, cdr: StoredChargingRecord): Record<string, unknown> {
  return {
    version: CDR_SCHEMA_VERSION,
    id: recordId(account, cdr.id),
    sessionId: cdr.sessionId,
    msisdn: cdr.msisdn,
    service: cdr.service,
    start: iso(cdr.startedAt),
    end: iso(cdr.endedAt),
    used: cdr.used,
    moneyCharged: cdr.amounts.money ?? 0,
    buckets: cdr.amounts,
    levels: cdr.levels,
    resultCode: cdr.resultCode,
    reason: cdr.reason,
    ...(cdr.callingParty ? { callingParty: cdr.callingParty } : {}),
    ...(cdr.calledParty ? { calledParty: cdr.calledParty } : {}),
    ...(cdr.role ? { role: cdr.role } : {}),
    ...(cdr.action ? { action: cdr.action } : {}),
  };
}

export function cdrJsonLine(account: string, cdr: StoredChargingRecord): string {
  return `${JSON.stringify(cdrRecord(account, cdr))}\n`;
}

export const CDR_EXPORT_CSV_COLUMNS = [
  'version',
  'id',
  'sessionId',
  'msisdn',
  'service',
  'start',
  'end',
  'used',
  'moneyCharged',
  'buckets',
  'levels',
  'resultCode',
  'reason',
  'callingParty',
  'calledParty',
  'role',
  'action',
] as const;

const pairs = (map: Record<string, number>) =>
  Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');

/** The CSV header; `id` is the second column, after `version`. */
export function cdrCsvHeader(): string {
  return csvLine(CDR_EXPORT_CSV_COLUMNS);
}

export function cdrCsvLine(account: string, cdr: StoredChargingRecord): string {
  const r = cdrRecord(account, cdr);
  return csvLine([
    CDR_SCHEMA_VERSION,
    r.id as string,
    cdr.sessionId,
    cdr.msisdn,
    cdr.service,
    r.start as string,
    r.end as string,
    pairs(cdr.used),
    r.moneyCharged as number,
    pairs(cdr.amounts),
    cdr.levels.join(';'),
    cdr.resultCode,
    cdr.reason,
    cdr.callingParty,
    cdr.calledParty,
    cdr.role,
    cdr.action,
  ]);
}

/** The id of a line of a file of either format; undefined for a CSV header or a torn line. */
export function idOfLine(line: string, format: 'jsonl' | 'csv'): string | undefined {
  if (format === 'csv') {
    const id = line.split(',')[1];
    return id && parseRecordId(id) ? id : undefined;
  }
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
