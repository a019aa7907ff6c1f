import { describe, expect, it } from 'vitest';
import { expiredList, unwrap } from '../../../src/balance/decode.js';
import { decodeDeltas, decodeLedgerEntry, decodeReservation } from '../../../src/balance/stored-layout.js';
import { CreditLimitReachedError, InvalidArgumentError } from '../../../src/balance/errors.js';

describe('script replies', () => {
  it('read named fields of a success', () => {
    const f = unwrap([
      0,
      ['granted', 120, 'final', 1, 'tiers', ['money', 2, 30], 'amounts', ['money', 5, 'free', 60]],
    ]);
    expect(f.int('granted')).toBe(120);
    expect(f.bool('final')).toBe(true);
    expect(f.holds('tiers')).toEqual([{ bucket: 'money', units: 2, amount: 30 }]);
    expect(f.amounts('amounts')).toEqual({ money: 5, free: 60 });
    expect(() => f.int('missing')).toThrow(/lacks 'missing'/);
    expect(() => f.str('granted')).toThrow(/not a string/);
  });

  it('throw the typed error of a refusal', () => {
    expect(() => unwrap([-6, ''])).toThrow(CreditLimitReachedError);
    expect(() => unwrap([-9, 'units: a positive integer'])).toThrow(
      new InvalidArgumentError('units: a positive integer'),
    );
    expect(() => unwrap('OK')).toThrow(/unexpected reply/);
  });

  it('read expired reservations', () => {
    expect(expiredList(['0|s1', ['money', 30], '7|s|2', []])).toEqual([
      { id: '0|s1', returned: { money: 30 } },
      { id: '7|s|2', returned: {} },
    ]);
  });
});

describe('stored encodings', () => {
  it('read a reservation, with a session id that contains the separator', () => {
    expect(decodeReservation('10|gw;1|x', '1790000060000 free 60 60 2 money 60 5 3')).toEqual({
      ratingGroup: 10,
      sessionId: 'gw;1|x',
      expiresAtMs: 1_790_000_060_000,
      units: 300,
      tiers: [
        { bucket: 'free', unitSize: 60, pricePerUnit: 60, units: 2, amount: 120 },
        { bucket: 'money', unitSize: 60, pricePerUnit: 5, units: 3, amount: 15 },
      ],
    });
  });

  it('read ledger deltas, bucket names with colons included', () => {
    expect(decodeDeltas('vpn:vpn-300:free-seconds=-120/120/0;money=0/-5/5')).toEqual({
      'vpn:vpn-300:free-seconds': { available: -120, reserved: 120, spent: 0 },
      money: { available: 0, reserved: -5, spent: 5 },
    });
    expect(decodeDeltas('')).toEqual({});
  });

  it('read a ledger entry and keep the extra fields', () => {
    const entry = decodeLedgerEntry([
      '1-0',
      [
        'op',
        'deduct',
        'opId',
        'o',
        'session',
        's',
        'rg',
        '10',
        'd',
        'money=0/-5/5',
        'availAfter',
        '95',
        'ts',
        '7',
        'used',
        '61',
        'uncharged',
        '0',
      ],
    ]);
    expect(entry).toEqual({
      id: '1-0',
      op: 'deduct',
      opId: 'o',
      session: 's',
      ratingGroup: 10,
      deltas: { money: { available: 0, reserved: -5, spent: 5 } },
      moneyAvailableAfter: 95,
      ts: 7,
      extra: { used: '61', uncharged: '0' },
    });
    expect(
      decodeLedgerEntry(['2-0', ['op', 'topup', 'rg', '', 'd', '', 'availAfter', '0', 'ts', '0']])
        .ratingGroup,
    ).toBeNull();
  });
});
