/**
 * JSON text written by concatenation, for a record written on every request (the session
 * record, session-codec.ts) that would otherwise be built as an object only to be stringified.
 * Each writer gives exactly what JSON.stringify gives for the same value: the stored bytes do
 * not depend on which wrote them, and the Lua that reads a record finds its fields by plain
 * string search (balance lua/includes/session-write.lua).
 */

/**
 * Whether JSON.stringify escapes something in `s`: a quote, a backslash, a control character or
 * a surrogate (it escapes those left unpaired).
 */
function escapes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

export function jsonString(s: string): string {
  return escapes(s) ? JSON.stringify(s) : `"${s}"`;
}

export function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

export function jsonNumbers(list: readonly number[]): string {
  let s = '';
  for (const n of list) s += `${s ? ',' : ''}${jsonNumber(n)}`;
  return `[${s}]`;
}

export function jsonStrings(list: readonly string[]): string {
  let s = '';
  for (const v of list) s += `${s ? ',' : ''}${jsonString(v)}`;
  return `[${s}]`;
}

/**
 * Numbers by name (amounts by bucket, units by rating group) in JSON.stringify's key order;
 * undefined for an object without keys, which a record leaves out.
 */
export function jsonNumberMap(map: Readonly<Record<string, number>> | undefined): string | undefined {
  let s = '';
  let keys = false;
  for (const key in map) {
    keys = true;
    const n = map[key];
    if (n !== undefined) s += `${s ? ',' : ''}${jsonString(key)}:${jsonNumber(n)}`;
  }
  return keys ? `{${s}}` : undefined;
}
