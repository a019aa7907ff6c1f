import { describe, expect, it } from 'vitest';
import { vpnSectionSchema } from '../../../src/provisioning/vpn.js';
import { parseInput } from '../../../src/vpn/input.js';
import { packageSchema } from '../../../src/vpn/model.js';

const PKG = {
  id: 'vpn-a',
  monthlyFee: 500,
  items: ['intra-group-voice'],
  levels: [{ type: 'payment', unitSeconds: 60, pricePerUnit: 5 }],
};

describe("a package's onSuspension", () => {
  it('re-authorises by default, and takes abort', () => {
    expect(parseInput(packageSchema, PKG, 'package').onSuspension).toBe('reauthorize');
    expect(parseInput(packageSchema, { ...PKG, onSuspension: 'abort' }, 'package').onSuspension).toBe(
      'abort',
    );
  });

  it('refuses anything else, naming the field', () => {
    expect(() => parseInput(packageSchema, { ...PKG, onSuspension: 'block' }, 'package')).toThrow(
      /INVALID: package: onSuspension: .*"reauthorize"\|"abort"/,
    );
  });

  it('is part of the provisioning document', () => {
    const section = vpnSectionSchema.parse({
      packages: [PKG, { ...PKG, id: 'vpn-b', onSuspension: 'abort' }],
    });
    expect(section.packages.map((p) => p.onSuspension)).toEqual(['reauthorize', 'abort']);
  });
});
