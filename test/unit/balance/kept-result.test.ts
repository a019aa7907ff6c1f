/**
 * The result a charging call keeps in its session record, as this side writes it to complete the
 * record it remembers (kept-result.ts): the JSON of the reply's values, byte for byte what
 * JSON.stringify gives and so what the script stored (test/integration/balance/kept-result.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keptJson, keptReply } from '../../../src/balance/kept-result.js';

const value = fc.oneof(
  fc.maxSafeInteger(),
  fc.constantFrom(0, 1, -0, NaN, 0.5),
  fc.array(fc.oneof(fc.constantFrom('money', 'free-seconds', 'a"b'), fc.string(), fc.maxSafeInteger()), {
    maxLength: 6,
  }),
);
const reply = fc
  .array(fc.tuple(fc.string({ maxLength: 8 }), value), { maxLength: 13 })
  .map((pairs) => [0, pairs.flat()]);

describe('the result kept in a session record', () => {
  it('is the JSON of the reply values, in order, whatever they are', () => {
    fc.assert(
      fc.property(reply, (r) => {
        const fields = r[1] as unknown[];
        expect(keptJson(r)).toBe(JSON.stringify(fields.filter((_, i) => i % 2 === 1)));
      }),
      { numRuns: 500 },
    );
  });

  it('turns back into the reply it was made of', () => {
    const settle = [
      0,
      [
        'settled',
        1,
        'charged',
        30,
        'uncharged',
        0,
        'amounts',
        ['money', 30],
        'returned',
        [],
        'releasedExpiresAtMs',
        5,
        'granted',
        1_048_576,
        'final',
        0,
        'creditLimitReached',
        0,
        'expiresAtMs',
        6,
        'tiers',
        ['money', 1_048_576, 30],
        'moneyAvailable',
        99_880,
        'denied',
        0,
      ],
    ];
    expect(keptReply('settle', JSON.parse(keptJson(settle)!) as unknown[])).toEqual(settle);
  });

  it('is not made of a refusal', () => {
    expect(keptJson([5, 'ACCOUNT_NOT_FOUND'])).toBeUndefined();
  });
});
