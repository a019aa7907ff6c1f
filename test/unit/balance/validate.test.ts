import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/balance/errors.js';
import {
  checkBucket,
  checkInt,
  checkRatingGroup,
  checkTiers,
  makeOpId,
  MAX_AMOUNT,
  tierArgs,
} from '../../../src/balance/validate.js';

describe('argument checks', () => {
  it('accepts integers from min to the 15-digit maximum only', () => {
    expect(() => checkInt('x', 0)).not.toThrow();
    expect(() => checkInt('x', MAX_AMOUNT)).not.toThrow();
    for (const bad of [-1, 1.5, MAX_AMOUNT + 1, Number.NaN, Infinity, '5', null]) {
      expect(() => checkInt('x', bad)).toThrow(InvalidArgumentError);
    }
    expect(() => checkInt('units', 0, 1)).toThrow('units: an integer from 1 to 999999999999999, got 0');
  });

  it('accepts bucket names the ledger encoding can carry', () => {
    for (const ok of ['money', 'vpn:vpn-300:free-seconds', 'data:rg10', 'a_b.c'])
      expect(() => checkBucket('b', ok)).not.toThrow();
    for (const bad of ['', 'a b', 'a=b', 'a/b', 'a;b', 'x'.repeat(65), 5]) {
      expect(() => checkBucket('b', bad)).toThrow(InvalidArgumentError);
    }
  });

  it('accepts Unsigned32 rating groups', () => {
    expect(() => checkRatingGroup(0xffffffff)).not.toThrow();
    expect(() => checkRatingGroup(0x100000000)).toThrow(InvalidArgumentError);
    expect(() => checkRatingGroup(-1)).toThrow(InvalidArgumentError);
  });

  it('names the bad field of a tier', () => {
    expect(() => checkTiers([])).toThrow('tiers: 1 to 16');
    expect(() =>
      checkTiers(Array.from({ length: 17 }, () => ({ bucket: 'money', unitSize: 1, pricePerUnit: 1 }))),
    ).toThrow('tiers: 1 to 16');
    expect(() =>
      checkTiers([
        { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
        { bucket: 'money', unitSize: 60, pricePerUnit: 5, maxUnits: -1 },
      ]),
    ).toThrow(/tiers\[1\]\.maxUnits/);
    expect(() => checkTiers([{ bucket: 'money', unitSize: 0, pricePerUnit: 5 }])).toThrow(
      /tiers\[0\]\.unitSize/,
    );
  });

  it('flattens tiers into ARGV', () => {
    expect(
      tierArgs([
        { bucket: 'free', unitSize: 60, pricePerUnit: 60 },
        { bucket: 'money', unitSize: 60, pricePerUnit: 5, maxUnits: 3 },
      ]),
    ).toEqual([2, 'free', 60, 60, '', 'money', 60, 5, 3]);
  });

  it('builds operation ids from session, request number and step', () => {
    expect(makeOpId('gw.example;1;2', 3, 'apply')).toBe('gw.example;1;2#3#apply');
  });
});
