import { describe, expect, it } from 'vitest';
import {
  indexMember,
  Keys,
  parseIndexMember,
  parseReservationId,
  reservationId,
} from '../../../src/balance/keys.js';

/** Redis Cluster's hash tag rule: the text between the first '{' and the next '}', if not empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('keys', () => {
  it('tag every key of an account with its MSISDN, after the prefix', () => {
    const keys = new Keys('p:');
    const k = keys.account('8613800000001');
    expect(k).toEqual({
      account: 'p:acct:{8613800000001}',
      reservations: 'p:resv:{8613800000001}',
      ledger: 'p:ledger:{8613800000001}',
    });
    for (const key of [...Object.values(k), keys.operation('8613800000001', 'sess{x}#1#apply')]) {
      expect(hashTag(key)).toBe('8613800000001');
    }
    expect(keys.reservationIndex()).toBe('p:resv-index');
  });

  it('refuse an MSISDN that would break the hash tag or the separators', () => {
    const keys = new Keys();
    for (const bad of ['', '86{1}', 'a}b', 'a|b', 'a b', 'x'.repeat(65)]) {
      expect(() => keys.account(bad)).toThrow(RangeError);
      expect(() => keys.operation(bad, 'op')).toThrow(RangeError);
    }
  });

  it('split reservation ids and index members even when the session id holds a |', () => {
    expect(reservationId('gw;1|2', 10)).toBe('10|gw;1|2');
    expect(parseReservationId('10|gw;1|2')).toEqual({ ratingGroup: 10, sessionId: 'gw;1|2' });
    const member = indexMember('861', 'gw;1|2', 10);
    expect(member).toBe('861|10|gw;1|2');
    expect(parseIndexMember(member)).toEqual({ msisdn: '861', reservationId: '10|gw;1|2' });
  });
});
