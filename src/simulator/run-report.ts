import { busyWarning } from './busy-retry.js';
import type { CpuWatch } from './cpu.js';
import { emptyReport, type Report } from './report.js';
import type { Scenario } from './scenario.js';
import type { Stats } from './stats.js';

/** What the run itself noticed, beside the counters. */
export interface RunOutcome {
  startedAt: Date;
  /** From the start to the stop, or to the last answer when it came later. */
  seconds: number;
  peers: number;
  /** Due by the schedule but not sent. */
  missed: number;
  lateAnswers: number;
  malformed: number;
  stoppedByUser: boolean;
  /** Warnings raised during the run, first in the report. */
  warnings: readonly string[];
  /** RARs and ASRs the server sent. */
  serverRequests?: Report['serverRequests'];
}

function modeLabel(s: Scenario): string {
  const m = s.mode;
  if (m.type === 'concurrency') return `${m.sessions} sessions in flight`;
  const rate = m.ccrPerSecond !== undefined ? `${m.ccrPerSecond} CCR/s` : `${m.sessionsPerSecond} sessions/s`;
  return `rate ${rate}${m.rampSeconds ? ` (ramp ${m.rampSeconds} s)` : ''}`;
}

/**
 * The end-of-run report: the counters, the CPU per CCR, a warning for everything that did not
 * go as the scenario expected, and whether every CCR was answered as expected.
 */
export function runReport(scenario: Scenario, stats: Stats, run: RunOutcome, cpu: CpuWatch): Report {
  const r = emptyReport(scenario.name ?? 'scenario', run.peers, modeLabel(scenario), run.startedAt);
  r.seconds = Math.round(run.seconds * 1000) / 1000;
  stats.fill(r);
  r.ccr.missed = run.missed;
  if (run.serverRequests) r.serverRequests = { ...run.serverRequests };
  const warnings = [...run.warnings];
  const figures = cpu.figures(r.ccr.answered);
  r.cpu.simulator = figures.simulator;
  r.cpu.processes = figures.processes;
  for (const pid of figures.unreadable) warnings.push(`could not read the CPU time of pid ${pid} from /proc`);
  if (run.stoppedByUser) warnings.push('stopped before the end: sessions in progress were cut short');
  if (r.ccr.timedOut)
    warnings.push(`${r.ccr.timedOut} CCR(s) got no answer within ${scenario.answerTimeoutSeconds} s`);
  if (r.ccr.unanswered) warnings.push(`${r.ccr.unanswered} CCR(s) were still unanswered at the end`);
  if (r.ccr.answered === 0) warnings.push('no CCR was answered');
  if (run.lateAnswers) warnings.push(`${run.lateAnswers} answer(s) came after their request had timed out`);
  if (run.malformed) warnings.push(`${run.malformed} answer(s) could not be read (bad AVP lengths)`);
  if (r.ccr.busy) warnings.push(busyWarning(r.ccr.busy));
  if (r.ccr.missed) {
    const m = scenario.mode;
    warnings.push(
      `${r.ccr.missed} ${m.type === 'rate' && m.ccrPerSecond !== undefined ? 'CCRs' : 'session starts'} due by the schedule were not sent: the target rate was not held`,
    );
  }
  r.warnings = warnings;
  r.ok = r.unexpectedTotal === 0 && r.ccr.timedOut === 0 && r.ccr.unanswered === 0 && r.ccr.answered > 0;
  return r;
}
