import { slopePerMinute } from '../../support/statistics.js';
import { num } from '../format.js';
import { checkInterrupted } from '../interruption.js';
import { usedMemory } from '../redis-memory.js';
import { scenario } from '../scenario.js';
import { rssBytes, type ServerProcess } from '../server-process.js';
import {
  EXPORT,
  EXPORT_KEEP_SECONDS,
  MiB,
  SOAK_MINUTES,
  SOAK_PRINT_SECONDS,
  SOAK_RATE,
  SOAK_SAMPLE_SECONDS,
  SOAK_SETTLE_SECONDS,
} from '../settings.js';
import { simulate, type Phase, type Testbed } from '../simulate.js';

export interface Soak {
  /** MiB per minute: the trend of the server's RSS floor and old generation floor, of Redis's memory. */
  rssSlope: number;
  heapSlope: number;
  redisSlope: number;
  /**
   * Redis's growth per CCR answered once the keys of finished sessions expire as fast as they
   * come (SOAK_SETTLE_SECONDS), in bytes; NaN when the soak is too short to tell.
   */
  redisBytesPerCcr: number;
}

interface Sample {
  t: number;
  rss: number;
  heap: number;
  redis: number;
}

/** A long run at a steady rate; the server's RSS and heap and Redis's memory every 10 s. */
async function runSoak(
  bed: Testbed,
  server: ServerProcess,
  rate: number,
): Promise<Soak & { lines: string[] }> {
  const { pids, redis } = bed;
  const samples: Sample[] = [];
  const start = Date.now();
  const sample = async () => {
    samples.push({
      t: (Date.now() - start) / 1000,
      rss: rssBytes(pids.server),
      heap: await server.oldSpaceUsed(),
      redis: await usedMemory(redis),
    });
  };
  await sample();
  const timer = setInterval(() => void sample(), SOAK_SAMPLE_SECONDS * 1000);
  let phase: Phase;
  try {
    phase = await simulate(
      'soak',
      scenario(bed.port, { type: 'rate', ccrPerSecond: rate, rampSeconds: 1 }, SOAK_MINUTES * 60),
      bed,
      undefined,
    );
  } finally {
    clearInterval(timer);
  }
  await sample();
  // V8 lets the old generation grow before a major collection, and the young one holds up to
  // 128 MiB between scavenges: single samples swing by 100 MiB and more. A leak shows as a
  // rising floor, so the verdict is on the trend of each minute's lowest RSS (of 30 samples);
  // the plain least-squares trend of every sample is printed beside it.
  const settled = samples.filter((s) => s.t >= 60);
  const raw = (pick: (s: Sample) => number) => slopePerMinute(settled.map((s) => [s.t, pick(s) / MiB]));
  const minutes = new Map<number, Sample[]>();
  for (const s of samples) {
    const m = Math.min(Math.floor(s.t / 60), Math.ceil(SOAK_MINUTES) - 1);
    minutes.set(m, [...(minutes.get(m) ?? []), s]);
  }
  const floor = (pick: (s: Sample) => number, from: number) =>
    slopePerMinute(
      [...minutes]
        .filter(([m]) => m >= from)
        .map(([m, ss]) => [m * 60, Math.min(...ss.map(pick)) / MiB] as [number, number]),
    );
  // After the load phases the server gives memory back, and its young generation's semi-spaces
  // are committed again over the soak's first minutes: the RSS floor rises then without a leak
  // (the old generation stays flat). The verdict is on the second half of the soak.
  const secondHalf = Math.max(1, Math.floor(SOAK_MINUTES / 2));
  const rssSlope = floor((s) => s.rss, secondHalf);
  const rssSlopeAll = floor((s) => s.rss, 1);
  const heapSlope = floor((s) => s.heap, 1);
  const redisSlope = raw((s) => s.redis);
  const steady = samples.filter((s) => s.t >= SOAK_SETTLE_SECONDS);
  const longEnough = SOAK_MINUTES * 60 >= SOAK_SETTLE_SECONDS + 120;
  const steadySlope = slopePerMinute(steady.map((s) => [s.t, s.redis / MiB]));
  const redisBytesPerCcr = longEnough ? (steadySlope * MiB) / (phase.report.ccr.perSecond * 60) : NaN;
  const mib = (n: number) => num(n / MiB, 0);
  const lines = [
    `  soak, ${num(rate)} CCR/s offered for ${SOAK_MINUTES} min: ${num(phase.report.ccr.answered)} answered at ${num(phase.report.ccr.perSecond)} CCR/s` +
      `${phase.problems.length ? `, NOT as expected: ${phase.problems.slice(0, 3).join('; ')}` : ', every answer as expected'}; ` +
      `server CPU ${num(phase.serverMicros, 1)} µs per CCR`,
    `      minute  server RSS MiB (low-high)  old generation MiB (low-high)  Redis used MiB (end)`,
  ];
  for (const [m, ss] of minutes) {
    const rss = ss.map((x) => x.rss);
    const heap = ss.map((x) => x.heap);
    lines.push(
      `      ${String(m).padStart(6)}  ${`${mib(Math.min(...rss))}-${mib(Math.max(...rss))}`.padStart(25)}` +
        `  ${`${mib(Math.min(...heap))}-${mib(Math.max(...heap))}`.padStart(29)}  ${mib(ss.at(-1)!.redis).padStart(20)}`,
    );
  }
  lines.push(
    `      server RSS every ${SOAK_PRINT_SECONDS} s, MiB: ${samples
      .filter((_, i) => i % (SOAK_PRINT_SECONDS / SOAK_SAMPLE_SECONDS) === 0)
      .map((x) => mib(x.rss))
      .join(' ')}`,
    `      server RSS floor from minute ${secondHalf} on: ${rssSlope.toFixed(2)} MiB/min; ` +
      `trend after the first minute: server RSS floor ${rssSlopeAll.toFixed(2)} MiB/min (every sample: ` +
      `${raw((s) => s.rss).toFixed(2)}), old generation floor ${heapSlope.toFixed(2)} MiB/min (every sample: ` +
      `${raw((s) => s.heap).toFixed(2)}), Redis ${redisSlope.toFixed(2)} MiB/min ` +
      `(${num((redisSlope * MiB) / (phase.report.ccr.perSecond * 60))} bytes per CCR answered, kept)`,
    longEnough
      ? `      Redis after ${SOAK_SETTLE_SECONDS} s, once what finished sessions leave expires as fast as it comes: ` +
          `${steadySlope.toFixed(2)} MiB/min, ${num(redisBytesPerCcr)} bytes per CCR answered, kept ` +
          `(${EXPORT ? `the exporter keeps ${EXPORT_KEEP_SECONDS} s of records` : 'no exporter: every record stays'})`
      : `      Redis's steady growth needs a soak of ${Math.ceil((SOAK_SETTLE_SECONDS + 120) / 60)} min or more: ` +
          `what a finished session leaves stays ${SOAK_SETTLE_SECONDS} s`,
  );
  return { rssSlope, heapSlope, redisSlope, redisBytesPerCcr, lines };
}

/**
 * The soak, when BENCH_SOAK_MINUTES asks for one: does the server's memory stay flat? Its rate
 * is BENCH_SOAK_RATE, or half of what saturation measured, rounded to hundreds.
 */
export async function soakIfAsked(
  bed: Testbed,
  server: ServerProcess,
  saturationPerSecond: number,
): Promise<Soak | undefined> {
  if (!(SOAK_MINUTES > 0)) return undefined;
  checkInterrupted();
  const rate = SOAK_RATE > 0 ? SOAK_RATE : Math.max(100, Math.round(saturationPerSecond / 200) * 100);
  const soak = await runSoak(bed, server, rate);
  for (const line of soak.lines) console.log(line);
  return soak;
}
