import { describe, expect, it } from 'vitest';
import { dialledNumber, type NumberingPlan } from '../../../src/rating/numbering.js';
import { resolveOtherParty, shortNumberGroups } from '../../../src/rating/short-numbers.js';
import { VpnAuthenticationError } from '../../../src/rating/types.js';
import type { Membership } from '../../../src/vpn/model.js';

const CN: NumberingPlan = {
  countryCode: '86',
  nationalPrefix: '0',
  internationalPrefix: '00',
  nationalNumberLength: 11,
};
const A = '8613800000001';
const Z = '8613800000002';

const member = (
  group: string,
  shortNumber: string,
  identity: Membership['identity'] = 'belongs',
): Membership => ({
  group,
  shortNumber,
  identity,
  display: 'short',
});

function resolve(
  address: string,
  memberships: Membership[],
  resolved: Record<string, string | undefined>,
  leg: 'originating' | 'terminating' = 'originating',
) {
  return resolveOtherParty({
    served: A,
    leg,
    dialled: dialledNumber(address)!,
    servedMemberships: memberships,
    resolved: new Map(Object.entries(resolved)),
    numbering: CN,
  });
}

describe('shortNumberGroups', () => {
  it('names the groups, in membership order, whose short numbers are as long as the number dialled', () => {
    const ms = [member('S', '6001'), member('T', '70001', 'joins'), member('U', '8001', 'joins')];
    expect(shortNumberGroups(dialledNumber('6002'), ms)).toEqual(['S', 'U']);
    expect(shortNumberGroups(dialledNumber('70002'), ms)).toEqual(['T']);
  });

  it('names none for an international number, a number of another length, or no number', () => {
    const ms = [member('S', '6001')];
    expect(shortNumberGroups(dialledNumber('+6002'), ms)).toEqual([]);
    expect(shortNumberGroups(dialledNumber('13800000002'), ms)).toEqual([]);
    expect(shortNumberGroups(undefined, ms)).toEqual([]);
    expect(shortNumberGroups(dialledNumber('6002'), [])).toEqual([]);
  });
});

describe('resolveOtherParty', () => {
  it('resolves a short number in the first group that has it', () => {
    const ms = [member('S', '6001'), member('T', '7001', 'joins')];
    expect(resolve('tel:6002', ms, { S: Z })).toBe(Z);
    expect(resolve('tel:6002', ms, { S: undefined, T: Z })).toBe(Z);
    expect(resolve('sip:6002@ims.example;user=dialstring', ms, { S: Z })).toBe(Z);
  });

  it('refuses on the originating leg a short number that none of the caller groups has (VPN authentication)', () => {
    const ms = [member('S', '6001'), member('T', '7001', 'joins')];
    expect(() => resolve('tel:6099', ms, { S: undefined, T: undefined })).toThrow(VpnAuthenticationError);
    expect(() => resolve('tel:6099', ms, { S: undefined, T: undefined })).toThrow(
      `short number 6099 is in no VPN group of ${A}`,
    );
  });

  it('never refuses the called party for the number it is called from', () => {
    expect(resolve('tel:6099', [member('S', '6001')], { S: undefined }, 'terminating')).toBe('6099');
  });

  it('takes a number of a party in no group, or of another length, as an ordinary number in international form', () => {
    expect(resolve('tel:6099', [], {})).toBe('6099');
    expect(resolve('tel:110', [member('S', '6001')], {})).toBe('110');
    expect(resolve('tel:13800000002', [member('S', '6001')], {})).toBe('8613800000002');
    expect(resolve('tel:+8613800000002', [member('S', '6001')], {})).toBe(Z);
  });
});
