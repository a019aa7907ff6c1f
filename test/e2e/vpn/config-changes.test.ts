/**
 * Changes made through the VPN registry reach the rating of running servers (DESIGN §5): each
 * instance caches memberships, short numbers, activations and packages, and drops what a
 * change publishes on the configuration channel. The cache's own time to live is 30 s, so a
 * change seen within a second was seen through pub/sub, on this instance and on a second one
 * over the same Redis.
 *
 * The probe is a call that moves no money: CCR-I (60 s asked) then CCR-T with 0 s used; its
 * CDR names the level the grant was rated at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPeer } from '../../support/diameter-peer.js';
import { mscc, seconds, startOcs, type OcsFixture } from '../../support/ocs-fixture.js';
import { RG, b, buckets, numbering, provisionAt, voiceLeg, vpnRegistry } from './support.js';

const VPN = 'vpn:vpn-p';
const PPS = 'pps:std:voice-mo';
const APRIL = Date.UTC(2026, 3, 1, 0, 1, 0);

let ocs: OcsFixture;
let second: TestPeer;
const next = numbering(300);

beforeAll(async () => {
  ocs = await startOcs();
  second = (await ocs.secondInstance()).peer;
});
afterAll(() => ocs.close());

/** What a call from `a` to `called` is rated at on the instance behind `peer`: a level or a Result-Code. */
async function probe(peer: TestPeer, a: string, called: string): Promise<string | number> {
  const s = voiceLeg(ocs, { served: a, calling: `tel:+${a}`, called, role: 'originating' }, peer);
  const i = await s.initial([mscc(RG, { rsu: [seconds(60)] })]);
  const code = i.get('Result-Code') as number;
  if (code !== 2001) return code;
  await s.terminate([mscc(RG, { usu: [[seconds(0)]] })]);
  const cdr = (await ocs.cdrs(a)).find((c) => c.sessionId === s.id);
  return cdr?.levels[0] ?? 'no CDR';
}

/** Probes until the rating is `expected`, and returns how long that took (ms); fails after 1 s. */
async function seenWithin(peer: TestPeer, a: string, called: string, expected: string | number) {
  const started = Date.now();
  for (;;) {
    const got = await probe(peer, a, called);
    const elapsed = Date.now() - started;
    if (got === expected) return elapsed;
    if (elapsed > 1000) throw new Error(`still ${got} after ${elapsed} ms, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a registry change is seen by every running instance within a second', () => {
  it('a member removed, a member added, an activation suspended', async () => {
    const [a, z, w, v] = [next(), next(), next(), next()];
    await provisionAt(
      ocs,
      `
accounts:
  - { msisdn: '${a}', prepaid: true, tariff: std, balance: 150 }
  - { msisdn: '${z}', prepaid: true, tariff: std, balance: 1000 }
  - { msisdn: '${w}', prepaid: true, tariff: std, balance: 1000 }
  - { msisdn: '${v}', prepaid: true, tariff: std, balance: 1000 }
vpn:
  packages:
    - id: vpn-p
      monthlyFee: 100
      items: [intra-group-voice]
      levels:
        - { type: free, creditSeconds: 3000, unitSeconds: 60 }
  groups:
    - id: P
      name: group P
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${a}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${z}', shortNumber: '6002', identity: belongs, display: short }
        - { msisdn: '${w}', shortNumber: '6004', identity: joins, display: long }
  activations:
    - { msisdn: '${a}', package: vpn-p, when: immediate }
`,
    );
    const first = ocs.peer;
    const registry = vpnRegistry(ocs);
    // Both instances have rated (and cached) everything the changes below touch.
    for (const peer of [first, second]) {
      expect(await probe(peer, a, 'tel:6002')).toBe(VPN);
      expect(await probe(peer, a, `tel:+${z}`)).toBe(VPN);
      expect(await probe(peer, a, 'tel:6004')).toBe(VPN);
      expect(await probe(peer, a, 'tel:6005')).toBe(4010);
    }
    // They do cache: a write behind the registry's back (no message) is not seen.
    const shortNumbers = registry.keys.shortNumbers('P');
    await ocs.redis.hset(shortNumbers, '6005', v);
    for (const peer of [first, second]) expect(await probe(peer, a, 'tel:6005')).toBe(4010);
    await ocs.redis.hdel(shortNumbers, '6005');

    // z leaves the group: its short number is gone, its long number is a plain call.
    await registry.unregister('P', z);
    for (const peer of [first, second]) {
      expect(await seenWithin(peer, a, 'tel:6002', 4010)).toBeLessThan(1000);
      expect(await seenWithin(peer, a, `tel:+${z}`, PPS)).toBeLessThan(1000);
    }

    // v joins as 6005: a short number that was "in no group" a moment ago.
    await registry.register('P', { msisdn: v, shortNumber: '6005', identity: 'joins' });
    for (const peer of [first, second]) {
      expect(await seenWithin(peer, a, 'tel:6005', VPN)).toBeLessThan(1000);
    }

    // April: a's 0.50 cannot pay the 1.00 fee, the run suspends its package.
    ocs.clock.ms = APRIL;
    expect(await registry.monthlyRun('2026-04', ocs.clock.ms)).toEqual({
      month: '2026-04',
      charged: 0,
      suspended: 1,
      suspensions: [{ msisdn: a, package: 'vpn-p', onSuspension: 'reauthorize' }],
      skipped: 0,
      failed: [],
      bundles: { expired: 0, lapsed: 0, renewed: 0, unpaid: 0 },
    });
    for (const peer of [first, second]) {
      expect(await seenWithin(peer, a, 'tel:6004', PPS)).toBeLessThan(1000);
    }
    // The probes moved no money; the fee of March is all a paid.
    expect(await buckets(ocs, a)).toEqual({ money: b(50, 0, 100), 'vpn:vpn-p:L0': b(3000, 0, 0) });
  });
});
