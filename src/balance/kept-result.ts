/**
 * The result of an apply or settle that wrote its session's record, kept in that record rather
 * than under its operation id (lua/includes/session-write.lua, DESIGN §5): the values of the
 * reply's fields, in order, as JSON. The record's readers turn them back into the reply.
 */

/** The fields of the replies, in the order the scripts return them (APPLY_FIELDS, SETTLE_FIELDS). */
const KEPT_FIELDS = {
  apply: ['granted', 'final', 'expiresAtMs', 'tiers', 'moneyAvailable'],
  settle: [
    'settled',
    'charged',
    'uncharged',
    'amounts',
    'returned',
    'releasedExpiresAtMs',
    'granted',
    'final',
    'creditLimitReached',
    'expiresAtMs',
    'tiers',
    'moneyAvailable',
    'denied',
  ],
} as const;

export type KeptCall = keyof typeof KEPT_FIELDS;

/** The reply of the call, as the script returned it, from the values a record kept. */
export function keptReply(call: KeptCall, values: readonly unknown[]): unknown {
  return [0, KEPT_FIELDS[call].flatMap((name, i) => [name, values[i]])];
}

/**
 * The values of a successful reply as the script kept them in the record: the same JSON, as
 * integers and bucket names print alike in Lua and here. Written as text in one pass, without
 * a list of the values first: every CCR whose call writes its record makes one.
 */
export function keptJson(reply: unknown): string | undefined {
  const fields = Array.isArray(reply) ? (reply[1] as unknown) : undefined;
  if (!Array.isArray(fields)) return undefined;
  let s = '';
  for (let i = 1; i < fields.length; i += 2) s += `${i > 1 ? ',' : ''}${valueJson(fields[i])}`;
  return `[${s}]`;
}

/** A reply's value as JSON.stringify writes it: integers, and lists of bucket names and integers. */
function valueJson(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return `${v}`;
  if (!Array.isArray(v)) return JSON.stringify(v) ?? 'null';
  let s = '';
  for (let i = 0; i < v.length; i++) s += `${i ? ',' : ''}${valueJson(v[i])}`;
  return `[${s}]`;
}
