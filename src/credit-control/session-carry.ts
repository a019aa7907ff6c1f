import type { ScriptArg } from '../redis/script-call.js';
import type { Charging } from './context.js';
import { cdrOf } from './session-cdr.js';
import { prepareSave } from './session-close.js';
import { encodeSessionRecord, withKeptResult } from './session-codec.js';
import { carriedOpOf } from './session-pending.js';
import { copyRecord, type PendingCharge, type SessionRecord } from './session-record.js';
import type { CdrTemplate } from './sessions.js';
import type { CreditControlRequest } from './types.js';

/**
 * The session write of a request whose only charging call carries it, so that the request is
 * one Redis command (DESIGN §5): the record as it is before the call, with the request's other
 * changes and the call named as `pending` (readers add its kept result), and for a session that
 * closes its CDR, whose amounts the call completes. Only one call of a request carries it; when
 * none did (a refusal, a second call), the write follows the answer as usual (session-close.ts).
 */
export interface CarryPlan {
  /** The write's script arguments for the call about to be made on `record`; undefined: not this one. */
  args(record: SessionRecord, pending: PendingCharge): ScriptArg[] | undefined;
  /** The call that carried the write succeeded, leaving its result `kept` in the record. */
  succeeded(kept: string | undefined): void;
  /** A charging call was made with the write, whatever came of it. */
  offered(): boolean;
  /** What was stored, once a call carried it, and the request's time in it. */
  stored(): { raw: string; now: number; op: string } | undefined;
}

/**
 * The plan of a request that leaves the session `state`; undefined in a cluster. `condition`
 * 'absent' (CCR-I): the call is refused, changing nothing, when the session has a record.
 * `resultCode`: the CDR's, for a session that closes.
 */
export function planCarry(
  charging: Charging,
  request: CreditControlRequest,
  state: 'open' | 'closed',
  condition: '' | 'absent' = '',
  resultCode = 0,
): CarryPlan | undefined {
  if (!charging.sessions.carries) return undefined;
  let prepared: { raw: string; now: number; op: string } | undefined;
  let done = false;
  return {
    args(record, pending) {
      if (prepared) return undefined;
      const now = charging.now();
      const before = copyRecord(record);
      const options = prepareSave(charging, before, request, state, now);
      before.pending = pending;
      const raw = encodeSessionRecord(before);
      prepared = { raw, now, op: pending.opId };
      const cdr =
        state === 'closed' && before.closeReason ? cdrTemplate(charging, before, resultCode, now) : undefined;
      return charging.sessions.carriedWrite(before, raw, options, condition, cdr, carriedOpOf(record));
    },
    succeeded(kept) {
      if (prepared) prepared.raw = withKeptResult(prepared.raw, kept);
      done = true;
    },
    offered: () => prepared !== undefined,
    stored: () => (done ? prepared : undefined),
  };
}

/** The CDR of the session closing with the pending call, split where the call's amounts go. */
function cdrTemplate(
  charging: Charging,
  record: SessionRecord,
  resultCode: number,
  now: number,
): CdrTemplate {
  const { ratingGroup, used } = record.pending!;
  const totals = { ...record.used, [ratingGroup]: (record.used[ratingGroup] ?? 0) + used };
  const { maxLen, entry } = cdrOf(charging.cdrs, { ...record, used: totals, amounts: {} }, resultCode, now);
  // Quotes inside the entry's strings are escaped: this is the amounts field, and only it.
  const at = entry.indexOf('"amounts":{}');
  return {
    maxLen,
    head: entry.slice(0, at + '"amounts":'.length),
    tail: entry.slice(at + '"amounts":{}'.length),
    base: record.amounts,
  };
}
