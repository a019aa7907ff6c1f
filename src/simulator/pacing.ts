/**
 * Pacing arithmetic: a target rate reached by a linear ramp, and how many events are due by a
 * given time. Pure, so that the schedule can be tested without clocks.
 */

/** The target rate (events per second) at `t` seconds after the start. */
export function rateAt(t: number, rate: number, rampSeconds: number): number {
  if (t <= 0) return 0;
  return rampSeconds > 0 && t < rampSeconds ? (rate * t) / rampSeconds : rate;
}

/** Events due from the start until `t` seconds: the integral of `rateAt`. */
export function scheduledBy(t: number, rate: number, rampSeconds: number): number {
  if (t <= 0) return 0;
  if (rampSeconds <= 0) return rate * t;
  if (t < rampSeconds) return (rate * t * t) / (2 * rampSeconds);
  return (rate * rampSeconds) / 2 + rate * (t - rampSeconds);
}

/**
 * Hands out events as the schedule makes them due. When the sender falls behind (a slow tick,
 * a full in-flight window), at most `maxBurst` late events are handed out at once; the rest are
 * counted in `missed` so the report can say the target was not held.
 */
export class Pacer {
  private issued = 0;
  missed = 0;

  constructor(
    readonly rate: number,
    readonly rampSeconds: number,
    readonly maxBurst = Math.max(1, Math.ceil(rate / 10)),
  ) {}

  /** Events to send now, `t` seconds after the start. */
  due(t: number): number {
    let n = Math.floor(scheduledBy(t, this.rate, this.rampSeconds)) - this.issued;
    if (n <= 0) return 0;
    if (n > this.maxBurst) {
      this.missed += n - this.maxBurst;
      this.issued += n - this.maxBurst;
      n = this.maxBurst;
    }
    return n;
  }

  /** The caller sent `n` of the events `due` gave it. */
  take(n: number): void {
    this.issued += n;
  }

  /** The caller could not send `n` due events (e.g. the in-flight window was full). */
  skip(n: number): void {
    this.issued += n;
    this.missed += n;
  }
}

/**
 * Smooth weighted round robin (as nginx balances upstreams): picks index i in proportion to
 * weights[i], evenly spread and exact over every full cycle, without randomness.
 */
export class WeightedPicker {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly weights: readonly number[]) {
    if (weights.length === 0 || weights.some((w) => !(w > 0)))
      throw new RangeError('weights must be positive and at least one');
    this.current = weights.map(() => 0);
    this.total = weights.reduce((a, b) => a + b, 0);
  }

  next(): number {
    let best = 0;
    for (let i = 0; i < this.weights.length; i++) {
      this.current[i]! += this.weights[i]!;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return best;
  }
}

/** Says yes for a `share` of calls, spread evenly (error diffusion): 0.3 gives 3 of every 10. */
export class ShareCounter {
  private seen = 0;
  private taken = 0;

  constructor(readonly share: number) {}

  next(): boolean {
    this.seen++;
    if (this.taken < Math.floor(this.seen * this.share + 1e-9)) {
      this.taken++;
      return true;
    }
    return false;
  }
}
