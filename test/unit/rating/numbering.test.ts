import { describe, expect, it } from 'vitest';
import { dialledNumber, normalise, type NumberingPlan } from '../../../src/rating/numbering.js';

const china: NumberingPlan = {
  countryCode: '86',
  nationalPrefix: '0',
  internationalPrefix: '00',
  nationalNumberLength: 11,
};

function international(address: string, plan = china): string | undefined {
  const n = dialledNumber(address);
  return n ? normalise(n, plan) : undefined;
}

describe('numbering plan', () => {
  it.each([
    ['tel:+8613800000001', '8613800000001'],
    ['sip:+8613800000001@ims.example.net;user=phone', '8613800000001'],
    ['+86 138-0000-0001', '8613800000001'],
    ['008613800000001', '8613800000001'],
    ['13800000001', '8613800000001'],
    ['075512345678', '8675512345678'],
    ['tel:6001', '6001'],
    ['6001', '6001'],
  ])('%s is %s', (address, expected) => {
    expect(international(address)).toBe(expected);
  });

  it('keeps numbers as dialled without a country code', () => {
    expect(international('13800000001', { ...china, countryCode: '' })).toBe('13800000001');
  });

  it('is not a number for a SIP URI with a name', () => {
    expect(dialledNumber('sip:alice@example.net')).toBeUndefined();
  });
});
