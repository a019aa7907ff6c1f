import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BUNDLE_TIERS, withBundles, type BundleHolding } from '../../../src/rating/bundle-tiers.js';
import type { ChargedService, Rating } from '../../../src/rating/types.js';

const MiB = 1_048_576;
const NOW = Date.UTC(2026, 2, 10, 12);
const DAY = 86_400_000;

const dataRating: Rating = {
  tiers: [{ bucket: 'money', unitSize: MiB, pricePerUnit: 30 }],
  level: 'pps:std:rg10',
};
const rg10: ChargedService = { kind: 'data', ratingGroup: 10 };

const data = (bucket: string, endsAtMs: number, ratingGroups?: string[]): BundleHolding => ({
  bucket,
  service: 'data',
  ratingGroups,
  endsAtMs,
});

describe('bundle tiers', () => {
  it('go before money, the one ending soonest first, in the tariff unit', () => {
    const rated = withBundles(
      dataRating,
      rg10,
      [
        data('bundle:late:2', NOW + 30 * DAY),
        data('bundle:soon:1', NOW + DAY),
        data('bundle:mid:3', NOW + 7 * DAY),
      ],
      NOW,
    );
    expect(rated.tiers).toEqual([
      { bucket: 'bundle:soon:1', unitSize: MiB, pricePerUnit: MiB },
      { bucket: 'bundle:mid:3', unitSize: MiB, pricePerUnit: MiB },
      { bucket: 'bundle:late:2', unitSize: MiB, pricePerUnit: MiB },
      { bucket: 'money', unitSize: MiB, pricePerUnit: 30 },
    ]);
    expect(rated.level).toBe('pps:std:rg10');
  });

  it('leave out bundles ended at the time of rating', () => {
    const rated = withBundles(dataRating, rg10, [data('bundle:a:1', NOW), data('bundle:b:1', NOW + 1)], NOW);
    expect(rated.tiers.map((t) => t.bucket)).toEqual(['bundle:b:1', 'money']);
  });

  it('apply only to their rating groups, or to all when they name none', () => {
    const held = [data('bundle:rg20:1', NOW + DAY, ['20']), data('bundle:all:1', NOW + 2 * DAY)];
    expect(withBundles(dataRating, rg10, held, NOW).tiers.map((t) => t.bucket)).toEqual([
      'bundle:all:1',
      'money',
    ]);
    expect(
      withBundles(dataRating, { kind: 'data', ratingGroup: 20 }, held, NOW).tiers.map((t) => t.bucket),
    ).toEqual(['bundle:rg20:1', 'bundle:all:1', 'money']);
  });

  it('apply to calls by destination, on the originating leg only, and never to another service', () => {
    const voice: Rating = {
      tiers: [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }],
      level: 'pps:std:voice-mo:national',
      destination: 'national',
    };
    const held: BundleHolding[] = [
      {
        bucket: 'bundle:nat:1',
        service: 'voice',
        destinations: ['national', 'beijing'],
        endsAtMs: NOW + DAY,
      },
      { bucket: 'bundle:intl:1', service: 'voice', destinations: ['nanp'], endsAtMs: NOW + DAY },
      data('bundle:data:1', NOW + DAY),
    ];
    const mo = withBundles(voice, { kind: 'voice', role: 'originating' }, held, NOW);
    expect(mo.tiers).toEqual([
      { bucket: 'bundle:nat:1', unitSize: 60, pricePerUnit: 60 },
      { bucket: 'money', unitSize: 60, pricePerUnit: 15 },
    ]);
    const noDestination = { ...voice, destination: undefined };
    expect(withBundles(noDestination, { kind: 'voice', role: 'originating' }, held, NOW).tiers).toHaveLength(
      1,
    );
    const mt = { ...voice, tiers: [{ bucket: 'money', unitSize: 60, pricePerUnit: 5 }] };
    expect(withBundles(mt, { kind: 'voice', role: 'terminating' }, held, NOW).tiers).toHaveLength(1);
  });

  it('are not used for a leg the tariff gives free', () => {
    const free: Rating = {
      tiers: [{ bucket: 'money', unitSize: MiB, pricePerUnit: 0 }],
      level: 'pps:std:rg10',
    };
    expect(withBundles(free, rg10, [data('bundle:a:1', NOW + DAY)], NOW)).toBe(free);
  });

  it('never put an ended bundle, another service, or more than the cap in front of money (property)', () => {
    const holding = fc.record({
      id: fc.integer({ min: 0, max: 40 }),
      service: fc.constantFrom('data' as const, 'voice' as const, 'sms' as const),
      ends: fc.integer({ min: -3 * DAY, max: 3 * DAY }),
      groups: fc.option(fc.subarray(['10', '20', '30'], { minLength: 1 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(holding, { maxLength: 20 }), fc.constantFrom(10, 20, 30), (list, rg) => {
        const held = list.map((h) => ({
          bucket: `bundle:b${h.id}:${h.ends}`,
          service: h.service,
          ratingGroups: h.groups,
          endsAtMs: NOW + h.ends,
        }));
        const rated = withBundles(dataRating, { kind: 'data', ratingGroup: rg }, held, NOW);
        const bundleTiers = rated.tiers.slice(0, -1);
        expect(rated.tiers.at(-1)).toEqual(dataRating.tiers[0]);
        expect(bundleTiers.length).toBeLessThanOrEqual(MAX_BUNDLE_TIERS);
        const ends = bundleTiers.map((t) => held.find((h) => h.bucket === t.bucket)!);
        for (const h of ends) {
          expect(h.endsAtMs).toBeGreaterThan(NOW);
          expect(h.service).toBe('data');
          if (h.ratingGroups) expect(h.ratingGroups).toContain(String(rg));
        }
        for (let i = 1; i < ends.length; i++)
          expect(ends[i]!.endsAtMs).toBeGreaterThanOrEqual(ends[i - 1]!.endsAtMs);
        const eligible = held.filter(
          (h) =>
            h.service === 'data' &&
            h.endsAtMs > NOW &&
            (!h.ratingGroups || h.ratingGroups.includes(String(rg))),
        );
        expect(bundleTiers.length).toBe(Math.min(eligible.length, MAX_BUNDLE_TIERS));
      }),
    );
  });
});
