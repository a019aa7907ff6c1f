import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './report.js';

/** A latency histogram in microseconds, to 3 significant digits; it grows past 2 minutes if it must. */
export function latencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Percentiles for plots: 0, 50, 75, 87.5, ... (halving what is left) up to 99.999, then max. */
export function distributionPercentiles(): number[] {
  const out = [0];
  for (let k = 1; k <= 17; k++) out.push(100 * (1 - 2 ** -k));
  out.push(100);
  return out;
}

/** A histogram in milliseconds: count, mean, the usual percentiles and the distribution to plot. */
export function summarise(h: Histogram): LatencySummary {
  const ms = (us: number) => round3(us / 1000);
  if (h.totalCount === 0)
    return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, distribution: [] };
  // A percentile is the top of its bucket, which may lie above the largest value recorded.
  const max = h.maxValue;
  const at = (p: number) => ms(p >= 100 ? max : Math.min(max, h.getValueAtPercentile(p)));
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: ms(max),
    distribution: distributionPercentiles().map((p) => [round3(p), at(p)]),
  };
}
