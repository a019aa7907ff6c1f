/**
 * CDRs as CSV (RFC 4180: CRLF line ends, a field with a comma, quote or line break quoted, its
 * quotes doubled) and as JSON lines. Times are ISO 8601 UTC; the per-rating-group usage and the
 * per-bucket amounts are `key=value` pairs joined by `;`.
 */
import type { StoredChargingRecord } from '../credit-control/cdr.js';

export const CDR_CSV_COLUMNS = [
  'id',
  'sessionId',
  'msisdn',
  'service',
  'callingParty',
  'calledParty',
  'role',
  'startedAt',
  'endedAt',
  'used',
  'amounts',
  'money',
  'levels',
  'resultCode',
  'reason',
  'action',
] as const;

export function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: readonly (string | number | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

const pairs = (map: Record<string, number>) =>
  Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');

const iso = (ms: number) => new Date(ms).toISOString();

export function cdrCsvHeader(): string {
  return csvLine(CDR_CSV_COLUMNS);
}

export function cdrCsvLine(cdr: StoredChargingRecord): string {
  return csvLine([
    cdr.id,
    cdr.sessionId,
    cdr.msisdn,
    cdr.service,
    cdr.callingParty,
    cdr.calledParty,
    cdr.role,
    iso(cdr.startedAt),
    iso(cdr.endedAt),
    pairs(cdr.used),
    pairs(cdr.amounts),
    cdr.amounts.money ?? 0,
    cdr.levels.join(';'),
    cdr.resultCode,
    cdr.reason,
    cdr.action,
  ]);
}

export function cdrJsonLine(cdr: StoredChargingRecord): string {
  return `${JSON.stringify(cdr)}\n`;
}
