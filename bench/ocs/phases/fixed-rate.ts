import type { BalanceStore } from '../../../src/balance/index.js';
import { num } from '../format.js';
import { scenario } from '../scenario.js';
import { PHASE_SECONDS } from '../settings.js';
import { simulate, type Phase, type Testbed } from '../simulate.js';

/**
 * Phase (b): `rate` CCR/s offered whatever the answers; latency per request type. Run at a
 * moderate and at a busy rate, because batching that helps at one can add delay at the other.
 */
export async function fixedRate(
  bed: Testbed,
  store: BalanceStore,
  rate: number,
  tag: string,
): Promise<Phase> {
  const fixed = await simulate(
    `fixed rate ${rate}`,
    scenario(bed.port, { type: 'rate', ccrPerSecond: rate, rampSeconds: 1 }, PHASE_SECONDS),
    bed,
    store,
  );
  const f = fixed.report;
  console.log(
    `  (${tag}) fixed rate ${num(rate)} CCR/s offered, ${PHASE_SECONDS} s: ${num(f.ccr.perSecond)} CCR/s answered` +
      `${f.ccr.missed ? ` (${num(f.ccr.missed)} due were not sent)` : ''}` +
      `${f.ccr.busy ? ` (${num(f.ccr.busy)} answered 3004, too busy, and sent again)` : ''}; ` +
      `CPU per CCR: server ${num(fixed.serverMicros, 1)} µs, Redis ${num(fixed.redisMicros, 1)} µs, ` +
      `simulator ${num(f.cpu.simulator.microsPerCcr, 1)} µs`,
  );
  console.log(
    `      latency ms  ${'count'.padStart(9)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'p99.9'.padStart(7)} ${'max'.padStart(7)}`,
  );
  for (const [label, l] of Object.entries(f.latencyMs)) {
    console.log(
      `      ${label.padEnd(10)} ${num(l.count).padStart(9)} ${[l.p50, l.p90, l.p99, l.p999, l.max]
        .map((v) => v.toFixed(3).padStart(7))
        .join(' ')}`,
    );
  }
  return fixed;
}
