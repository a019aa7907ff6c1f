import type { BalanceStore } from '../../../src/balance/index.js';
import { num } from '../format.js';
import { scenario } from '../scenario.js';
import { PHASE_SECONDS, SESSIONS, WARMUP_SECONDS } from '../settings.js';
import { simulate, type Phase, type Testbed } from '../simulate.js';

/** The server's code gets compiled, Redis's scripts loaded; nothing is measured. */
export async function warmUp(bed: Testbed): Promise<void> {
  await simulate(
    'warm-up',
    scenario(bed.port, { type: 'concurrency', sessions: SESSIONS }, WARMUP_SECONDS),
    bed,
    undefined,
  );
}

/** Phase (a): SESSIONS sessions always in progress, as many CCR/s as the server answers. */
export async function saturation(bed: Testbed, store: BalanceStore): Promise<Phase> {
  const sat = await simulate(
    'saturation',
    scenario(bed.port, { type: 'concurrency', sessions: SESSIONS }, PHASE_SECONDS),
    bed,
    store,
  );
  const r = sat.report;
  console.log(
    `  (a) saturation, ${SESSIONS} sessions in progress, ${PHASE_SECONDS} s: ${num(r.ccr.perSecond)} CCR/s, ` +
      `${num(r.ccr.answered)} answered${r.ccr.busy ? ` (${num(r.ccr.busy)} answered 3004 first and sent again)` : ''}, ` +
      `p50 ${r.latencyMs.all?.p50} ms, p99 ${r.latencyMs.all?.p99} ms; ` +
      `CPU per CCR: server ${num(sat.serverMicros, 1)} µs, Redis ${num(sat.redisMicros, 1)} µs, ` +
      `simulator ${num(r.cpu.simulator.microsPerCcr, 1)} µs`,
  );
  console.log(
    `      Redis time per CCR inside commands (a script's includes the commands it runs): ${sat.redisCommands}`,
  );
  return sat;
}
