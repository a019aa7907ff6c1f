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
 * integers and bucket names print alike in Lua and here.
 */
export function keptJson(reply: unknown): string | undefined {
  const fields = Array.isArray(reply) ? (reply[1] as unknown) : undefined;
  if (!Array.isArray(fields)) return undefined;
  return JSON.stringify(fields.filter((_, i) => i % 2 === 1));
}
