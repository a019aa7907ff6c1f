import { describe, expect, it } from 'vitest';
import { rateVpn, type Party } from '../../../src/rating/vpn.js';
import type { Tariff } from '../../../src/rating/types.js';
import type { Activation, Identity, Package } from '../../../src/vpn/model.js';

/** Rated at a fixed moment; these tariffs have no time bands. */
const NOW = { atMs: Date.UTC(2026, 11, 7, 12) };

const tariff: Tariff = {
  id: 'pps-standard',
  currency: 'CNY',
  voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 },
  sms: { pricePerMessage: 10 },
};

const vpn300: Package = {
  id: 'vpn-300',
  monthlyFee: 500,
  items: ['intra-group-voice'],
  smsPricePerMessage: 0,
  onSuspension: 'reauthorize',
  levels: [
    { type: 'free', creditSeconds: 18000, unitSeconds: 60 },
    { type: 'free', creditAmount: 1000, unitSeconds: 60, pricePerUnit: 5 },
    { type: 'payment', unitSeconds: 60, pricePerUnit: 5 },
  ],
};
const packages = new Map([[vpn300.id, vpn300]]);

const VPN_TIERS = [
  { bucket: 'vpn:vpn-300:L0', unitSize: 60, pricePerUnit: 60 },
  { bucket: 'vpn:vpn-300:L1', unitSize: 60, pricePerUnit: 5 },
  { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
];
const PPS_MO = [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }];
const PPS_MT = [{ bucket: 'money', unitSize: 60, pricePerUnit: 0 }];

type FunctionState = 'active' | 'pending' | 'suspended' | 'none';

function party(msisdn: string, group: string | undefined, identity: Identity, fn: FunctionState): Party {
  const activation: Activation | undefined =
    fn === 'none'
      ? undefined
      : {
          msisdn,
          package: 'vpn-300',
          status: fn,
          activeFrom: '2026-11',
          paidThrough: fn === 'active' ? '2026-11' : '',
        };
  return {
    msisdn,
    memberships: group ? [{ group, shortNumber: msisdn.slice(-4), identity, display: 'short' }] : [],
    activation,
  };
}

describe('VPN rating: the preference matrix (DESIGN §3, ZTE [0056]-[0060])', () => {
  const identities: Identity[] = ['belongs', 'joins'];
  const functions: FunctionState[] = ['active', 'pending', 'suspended', 'none'];
  const cases = identities.flatMap((callerIdentity) =>
    identities.flatMap((calledIdentity) =>
      [true, false].flatMap((sameGroup) =>
        functions.map((fn) => ({ callerIdentity, calledIdentity, sameGroup, fn })),
      ),
    ),
  );

  it.each(cases)(
    'caller $callerIdentity, called $calledIdentity, same group $sameGroup, function $fn',
    ({ callerIdentity, calledIdentity, sameGroup, fn }) => {
      // A joining party cannot activate a function (only belonging members can), so its
      // function state is modelled the same way to show that it would not matter.
      const caller = party('8613800000001', 'ZTE-SZ', callerIdentity, fn);
      const called = party('8613800000002', sameGroup ? 'ZTE-SZ' : 'HW-SZ', calledIdentity, fn);
      const originating = rateVpn({
        kind: 'voice',
        leg: 'originating',
        served: caller,
        other: called,
        packages,
        tariff,
        when: NOW,
      });
      const terminating = rateVpn({
        kind: 'voice',
        leg: 'terminating',
        served: called,
        other: caller,
        packages,
        tariff,
        when: NOW,
      });
      const valid = fn === 'active';
      expect(originating.tiers).toEqual(
        sameGroup && valid && callerIdentity === 'belongs' ? VPN_TIERS : PPS_MO,
      );
      expect(terminating.tiers).toEqual(
        sameGroup && valid && calledIdentity === 'belongs' ? VPN_TIERS : PPS_MT,
      );
    },
  );

  it('names the group and the package level when the preference applies', () => {
    const r = rateVpn({
      kind: 'voice',
      leg: 'originating',
      served: party('8613800000001', 'ZTE-SZ', 'belongs', 'active'),
      other: party('8613900000009', 'ZTE-SZ', 'joins', 'none'),
      packages,
      tariff,
      when: NOW,
    });
    expect(r).toMatchObject({ group: 'ZTE-SZ', level: 'vpn:vpn-300' });
  });

  it('gives no preference to a call to a number outside every group', () => {
    const r = rateVpn({
      kind: 'voice',
      leg: 'originating',
      served: party('8613800000001', 'ZTE-SZ', 'belongs', 'active'),
      other: { msisdn: '8613700000000', memberships: [] },
      packages,
      tariff,
      when: NOW,
    });
    expect(r.tiers).toEqual(PPS_MO);
    expect(r.level).toBe('pps:pps-standard:voice-mo');
  });

  it('rates SMS by the package only when it lists intra-group SMS', () => {
    const served = party('8613800000001', 'ZTE-SZ', 'belongs', 'active');
    const other = party('8613800000002', 'ZTE-SZ', 'belongs', 'active');
    expect(
      rateVpn({ kind: 'sms', leg: 'originating', served, other, packages, tariff, when: NOW }).tiers,
    ).toEqual([{ bucket: 'money', unitSize: 1, pricePerUnit: 10 }]);
    const withSms = new Map([
      [vpn300.id, { ...vpn300, items: [...vpn300.items, 'intra-group-sms' as const], smsPricePerMessage: 2 }],
    ]);
    expect(
      rateVpn({ kind: 'sms', leg: 'originating', served, other, packages: withSms, tariff, when: NOW }).tiers,
    ).toEqual([{ bucket: 'money', unitSize: 1, pricePerUnit: 2 }]);
  });

  it('falls back to the tariff price after the free levels of a package without a payment level', () => {
    const freeOnly: Package = { ...vpn300, levels: [{ type: 'free', creditSeconds: 600, unitSeconds: 60 }] };
    const r = rateVpn({
      kind: 'voice',
      leg: 'originating',
      served: party('8613800000001', 'ZTE-SZ', 'belongs', 'active'),
      other: party('8613800000002', 'ZTE-SZ', 'belongs', 'active'),
      packages: new Map([[freeOnly.id, freeOnly]]),
      tariff,
      when: NOW,
    });
    expect(r.tiers).toEqual([{ bucket: 'vpn:vpn-300:L0', unitSize: 60, pricePerUnit: 60 }, ...PPS_MO]);
  });

  it('gives no preference when the activated package no longer exists', () => {
    const r = rateVpn({
      kind: 'voice',
      leg: 'originating',
      served: party('8613800000001', 'ZTE-SZ', 'belongs', 'active'),
      other: party('8613800000002', 'ZTE-SZ', 'belongs', 'active'),
      packages: new Map(),
      tariff,
      when: NOW,
    });
    expect(r.tiers).toEqual(PPS_MO);
  });
});
