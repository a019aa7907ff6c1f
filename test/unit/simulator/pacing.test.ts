import { describe, expect, it } from 'vitest';
import { Pacer, ShareCounter, WeightedPicker, rateAt, scheduledBy } from '../../../src/simulator/pacing.js';

describe('rate and schedule', () => {
  it('climbs linearly over the ramp, then holds the rate', () => {
    expect(rateAt(0, 1000, 10)).toBe(0);
    expect(rateAt(5, 1000, 10)).toBe(500);
    expect(rateAt(10, 1000, 10)).toBe(1000);
    expect(rateAt(60, 1000, 10)).toBe(1000);
    expect(rateAt(1, 1000, 0)).toBe(1000);
  });

  it('schedules the integral of the rate: half the rate times the ramp, then the rate', () => {
    expect(scheduledBy(0, 1000, 10)).toBe(0);
    expect(scheduledBy(5, 1000, 10)).toBe(1250);
    expect(scheduledBy(10, 1000, 10)).toBe(5000);
    expect(scheduledBy(12, 1000, 10)).toBe(7000);
    expect(scheduledBy(2.5, 200, 0)).toBe(500);
  });
});

describe('Pacer', () => {
  it('hands out exactly what is due, tick by tick', () => {
    const p = new Pacer(1000, 0);
    let sent = 0;
    for (let ms = 1; ms <= 2000; ms++) {
      const n = p.due(ms / 1000);
      p.take(n);
      sent += n;
    }
    expect(sent).toBe(2000);
    expect(p.missed).toBe(0);
  });

  it('sends at most maxBurst late events at once and counts the rest as missed', () => {
    const p = new Pacer(1000, 0, 50);
    expect(p.due(1)).toBe(50);
    p.take(50);
    expect(p.missed).toBe(950);
    expect(p.due(1.01)).toBe(10);
  });

  it('counts skipped events as missed and does not hand them out again', () => {
    const p = new Pacer(100, 0);
    const n = p.due(0.1);
    expect(n).toBe(10);
    p.skip(n);
    expect(p.missed).toBe(10);
    expect(p.due(0.1)).toBe(0);
  });

  it('follows the ramp', () => {
    const p = new Pacer(1000, 10);
    let sent = 0;
    for (let ms = 10; ms <= 5000; ms += 10) {
      const n = p.due(ms / 1000);
      p.take(n);
      sent += n;
    }
    expect(sent).toBe(1250);
  });
});

describe('WeightedPicker', () => {
  it('picks in proportion to the weights over every cycle, spread out', () => {
    const picker = new WeightedPicker([70, 25, 5]);
    const counts = [0, 0, 0];
    const first20: number[] = [];
    for (let i = 0; i < 100; i++) {
      const k = picker.next();
      counts[k]!++;
      if (i < 20) first20.push(k);
    }
    expect(counts).toEqual([70, 25, 5]);
    // No long runs of one kind: within 20 picks every kind but the rarest shows up.
    expect(first20.filter((k) => k === 1).length).toBe(5);
  });

  it('refuses weights that are not positive', () => {
    expect(() => new WeightedPicker([])).toThrow(RangeError);
    expect(() => new WeightedPicker([1, 0])).toThrow(RangeError);
  });
});

describe('ShareCounter', () => {
  it('says yes for the share, evenly', () => {
    const c = new ShareCounter(0.3);
    const picks = Array.from({ length: 10 }, () => c.next());
    expect(picks.filter(Boolean).length).toBe(3);
    expect(picks).toEqual([false, false, false, true, false, false, true, false, false, true]);
    expect(Array.from({ length: 5 }, () => new ShareCounter(1).next())).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    const none = new ShareCounter(0);
    expect(Array.from({ length: 5 }, () => none.next()).some(Boolean)).toBe(false);
  });
});
