import { capacityLines } from './capacity.js';
import { num } from './format.js';
import type { Baseline } from './phases/baseline.js';
import type { SessionMemory } from './phases/memory.js';
import type { Soak } from './phases/soak.js';
import { EXPORT, FIXED_RATE, MODERATE_RATE, SIZE, SOAK_MINUTES } from './settings.js';
import type { Phase } from './simulate.js';

const TARGET = {
  cpuMicros: 40,
  redisMicros: 30,
  ccrPerSecond: 12_000,
  p99Ms: 2,
  redisBytesPerSession: 1024,
  /** "Flat": the trend of the lowest RSS of each minute of the soak (after the first), MiB per minute. */
  rssMiBPerMinute: 1,
  /** "Flat": Redis's growth per CCR past the exporter's window, against ~860 B kept without it. */
  redisBytesPerCcr: 10,
};

/** Whether each phase's answers and money were as expected, and if not, why. */
export function printChecks(phases: readonly (readonly [string, Phase])[]): void {
  for (const [name, phase] of phases) {
    if (phase.problems.length)
      console.log(`  ${name}: answers or money NOT as expected:\n    ${phase.problems.join('\n    ')}`);
    else
      console.log(
        `  ${name}: every answer as expected; money consistent (tariff, free minutes, reservations)`,
      );
  }
}

export interface Results {
  sat: Phase;
  /** At the moderate offered load. */
  moderate: Phase;
  /** At the busy offered load. */
  fixed: Phase;
  memory: SessionMemory;
  baseline: Baseline;
  soak: Soak | undefined;
  /** Every answer and the money as expected in every phase. */
  checked: boolean;
  /** What the server logged at warn or above. */
  serverOutput: readonly string[];
}

function missedBy(what: string, value: string, target: string): string {
  const v = Number(value.replace(/[^\d.]/g, ''));
  const t = Number(target.replace(/[^\d.]/g, ''));
  if (!Number.isFinite(v) || !Number.isFinite(t) || t === 0) return '';
  const ratio = what.startsWith('CCR/s') ? t / v : v / t;
  return ` (x${ratio.toFixed(2)})`;
}

/** Every figure beside its target; then the server's warnings and the one line for scripts. */
export function printSummary({
  sat,
  moderate,
  fixed,
  memory,
  baseline,
  soak,
  checked,
  serverOutput,
}: Results): void {
  const r = sat.report;
  const all = fixed.report.latencyMs.all;
  const p50 = all?.p50 ?? NaN;
  const p99 = all?.p99 ?? NaN;
  const p99Moderate = moderate.report.latencyMs.all?.p99 ?? NaN;
  const busy = fixed.report.ccr.busy;
  const rows: [string, string, string, boolean][] = [
    [
      'server CPU per CCR (saturation)',
      `${num(sat.serverMicros, 1)} µs`,
      `<= ${TARGET.cpuMicros} µs`,
      sat.serverMicros <= TARGET.cpuMicros,
    ],
    [
      'server CPU per CCR (5,000 CCR/s)',
      `${num(fixed.serverMicros, 1)} µs`,
      `<= ${TARGET.cpuMicros} µs`,
      fixed.serverMicros <= TARGET.cpuMicros,
    ],
    [
      'Redis CPU per CCR (saturation)',
      `${num(sat.redisMicros, 1)} µs`,
      `<= ${TARGET.redisMicros} µs`,
      sat.redisMicros <= TARGET.redisMicros,
    ],
    [
      'CCR/s at saturation',
      num(r.ccr.perSecond),
      `>= ${num(TARGET.ccrPerSecond)}`,
      r.ccr.perSecond >= TARGET.ccrPerSecond,
    ],
    ['every answer checked', checked ? 'as expected' : 'NOT as expected', 'all', checked],
    [
      `p99 at ${num(MODERATE_RATE)} CCR/s offered`,
      `${p99Moderate.toFixed(3)} ms`,
      `<= ${TARGET.p99Ms} ms`,
      p99Moderate <= TARGET.p99Ms,
    ],
    [
      `p99 at ${num(FIXED_RATE)} CCR/s offered`,
      `${p99.toFixed(3)} ms`,
      `<= ${TARGET.p99Ms} ms`,
      p99 <= TARGET.p99Ms,
    ],
    [`answered 3004 at ${num(FIXED_RATE)} CCR/s`, num(busy), '0', busy === 0],
    [
      'Redis memory per open session',
      `${num(memory.open)} B`,
      `<= ${num(TARGET.redisBytesPerSession)} B`,
      memory.open <= TARGET.redisBytesPerSession,
    ],
  ];
  if (soak)
    rows.push([
      `RSS floor, 2nd half of ${SOAK_MINUTES}-min soak`,
      `${soak.rssSlope.toFixed(2)} MiB/min`,
      `flat (<= ${TARGET.rssMiBPerMinute} MiB/min)`,
      soak.rssSlope <= TARGET.rssMiBPerMinute,
    ]);
  if (soak && Number.isFinite(soak.redisBytesPerCcr))
    rows.push([
      `Redis growth over the soak${EXPORT ? ', exporting' : ''}`,
      `${num(soak.redisBytesPerCcr)} B/CCR`,
      `flat (<= ${TARGET.redisBytesPerCcr} B per CCR)`,
      soak.redisBytesPerCcr <= TARGET.redisBytesPerCcr,
    ]);
  console.log('');
  console.log(`  ${'figure'.padEnd(36)} ${'measured'.padStart(16)}   ${'target'.padEnd(26)} result`);
  for (const [what, value, target, pass] of rows) {
    const miss = pass ? '' : missedBy(what, value, target);
    console.log(
      `  ${what.padEnd(36)} ${value.padStart(16)}   ${target.padEnd(26)} ${pass ? 'PASS' : `MISS${miss}`}`,
    );
  }
  for (const line of capacityLines(sat.serverMicros, sat.redisMicros, memory.open)) console.log(line);
  if (serverOutput.length)
    console.log(
      `  the server logged ${serverOutput.length} line(s) at warn or above, the first: ${serverOutput[0]!.slice(0, 300)}`,
    );
  console.log(
    `bench:ocs ccr_per_s=${Math.round(r.ccr.perSecond)} p50_ms=${p50} p99_ms=${p99} ` +
      `p99_ms_moderate=${p99Moderate} busy_3004=${busy} ` +
      `server_cpu_us_per_ccr=${sat.serverMicros} server_cpu_us_per_ccr_5k=${fixed.serverMicros} ` +
      `redis_cpu_us_per_ccr=${sat.redisMicros} redis_bytes_per_session=${Math.round(memory.open)} ` +
      `store_apply_per_s=${Math.round(baseline.applyRate)} evalsha_trivial_per_s=${Math.round(baseline.trivial)} ` +
      `ratio=${baseline.ratio.toFixed(3)} checked=${checked ? 'ok' : 'failed'}` +
      (soak
        ? ` rss_mib_per_min=${soak.rssSlope.toFixed(2)} redis_bytes_per_ccr=${Math.round(soak.redisBytesPerCcr)}`
        : '') +
      ` size=${SIZE}`,
  );
}
