import { MAX_MSCC, errorMessageOf, type AnswerInfo } from './answers.js';
import { RESULT_CODES } from './scenario.js';
import type { SimSession } from './sessions.js';
import type { Stats } from './stats.js';

/** `set[code] === 1` when the Result-Code is accepted. */
export function expectSet(codes: readonly number[]): Uint8Array {
  const set = new Uint8Array(RESULT_CODES.max + 1);
  for (const c of codes) set[c] = 1;
  return set;
}

/**
 * Counts the answer to `s`'s request with its latency, and every Result-Code in it the
 * session's kind does not accept: the command's, and that of each MSCC.
 */
export function recordAnswer(
  stats: Stats,
  expected: Uint8Array,
  s: SimSession,
  a: AnswerInfo,
  frame: Buffer,
  now: number,
): void {
  const type = s.requestType;
  stats.answer(type, (now - s.sentAt) * 1000, a.resultCode);
  if (expected[a.resultCode] !== 1)
    stats.unexpectedAnswer(type, 'command', a.resultCode, s.id, () => errorMessageOf(frame, a));
  const n = Math.min(a.msccCount, MAX_MSCC);
  for (let i = 0; i < n; i++) {
    const code = a.msccResultCode[i]!;
    if (code === 0) continue;
    stats.mscc(code);
    if (expected[code] !== 1)
      stats.unexpectedAnswer(type, 'mscc', code, s.id, () => errorMessageOf(frame, a));
  }
}
