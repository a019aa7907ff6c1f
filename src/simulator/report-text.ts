import { ResultCode } from '../errors/result-codes.js';
import type { Report } from './report.js';

function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function codesLine(codes: Record<string, number>): string {
  return Object.entries(codes)
    .map(([c, n]) => `${c} x ${num(n)}`)
    .join(', ');
}

/** The report as the terminal shows it. */
export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push(`Scenario ${r.scenario}: ${num(r.seconds, 1)} s, ${r.peers} peer(s), ${r.mode}`);
  lines.push(
    `CCRs       sent ${num(r.ccr.sent)}, answered ${num(r.ccr.answered)}, timed out ${num(r.ccr.timedOut)}` +
      `${r.ccr.unanswered ? `, unanswered ${num(r.ccr.unanswered)}` : ''}` +
      `${r.ccr.busy ? `, answered ${ResultCode.TOO_BUSY} and sent again ${num(r.ccr.busy)}` : ''}: ${num(r.ccr.perSecond, 1)} CCR/s` +
      `${r.ccr.missed ? ` (${num(r.ccr.missed)} due by the schedule were not sent)` : ''}`,
  );
  const kinds = Object.entries(r.sessions).filter(([k, c]) => k !== 'total' && c.started > 0);
  const t = r.sessions.total;
  lines.push(
    `Sessions   started ${num(t.started)}, completed ${num(t.completed)}, with a refusal ${num(t.refused)}, aborted ${num(t.aborted)}` +
      (kinds.length > 1 ? `  (${kinds.map(([k, c]) => `${k} ${num(c.started)}`).join(', ')})` : ''),
  );
  const sr = r.serverRequests;
  if (sr.rar || sr.asr)
    lines.push(
      `Server     RAR ${num(sr.rar)}, ASR ${num(sr.asr)} received` +
        `${sr.unknownSession ? ` (${num(sr.unknownSession)} for a session already over: 5002)` : ''}`,
    );
  lines.push('Answers by Result-Code');
  for (const [label, codes] of Object.entries(r.resultCodes))
    lines.push(`  ${label.padEnd(8)} ${codesLine(codes)}`);
  if (Object.keys(r.msccResultCodes).length)
    lines.push(`  ${'MSCC'.padEnd(8)} ${codesLine(r.msccResultCodes)}`);
  if (r.unexpectedTotal === 0) {
    lines.push('Unexpected answers: none');
  } else {
    lines.push(`Unexpected answers: ${num(r.unexpectedTotal)}`);
    for (const u of r.unexpected) {
      lines.push(
        `  ${u.request.padEnd(8)} ${u.level === 'mscc' ? 'MSCC ' : ''}${u.resultCode} x ${num(u.count)}` +
          `  e.g. ${u.exampleSessionId}${u.errorMessage ? `: ${u.errorMessage}` : ''}`,
      );
    }
  }
  lines.push(
    `Latency ms ${'count'.padStart(10)} ${'p50'.padStart(8)} ${'p90'.padStart(8)} ${'p99'.padStart(8)} ${'p99.9'.padStart(8)} ${'max'.padStart(8)}`,
  );
  for (const [label, s] of Object.entries(r.latencyMs)) {
    lines.push(
      `  ${label.padEnd(8)} ${num(s.count).padStart(10)} ${[s.p50, s.p90, s.p99, s.p999, s.max]
        .map((v) => num(v, 3).padStart(8))
        .join(' ')}`,
    );
  }
  const sim = r.cpu.simulator;
  lines.push(
    `CPU        simulator ${num(sim.microsPerCcr, 1)} µs per CCR (user ${num(sim.userMs)} ms, system ${num(sim.systemMs)} ms)`,
  );
  for (const s of r.cpu.processes) {
    lines.push(
      `           server pid ${s.pid}: ${num(s.microsPerCcr, 1)} µs per CCR (user ${num(s.userMs)} ms, system ${num(s.systemMs)} ms)`,
    );
  }
  if (r.money) {
    const m = r.money;
    let line = `Money      expected by the tariff ${num(m.expected)}`;
    if (m.expectedVpn) line += ` (+ ${num(m.expectedVpn)} for VPN calls)`;
    if (m.spent !== undefined) {
      line += `, spent ${num(m.spent)} over ${num(m.accounts ?? 0)} accounts, reserved change ${num(m.reservedChange ?? 0)}`;
      line += `, total change ${num(m.totalChange ?? 0)}`;
      if (m.consistent !== undefined) line += `: ${m.consistent ? 'consistent' : 'NOT consistent'}`;
    }
    lines.push(line);
    const p = m.members;
    if (p) {
      lines.push(
        `           of which ${num(p.accounts)} VPN package members spent ${num(p.spent)}` +
          (p.packageReports > 0
            ? ` (${num(p.spentAtLeast)} to ${num(p.spentAtMost)} possible: ${num(p.packageReports)} voice reports, ` +
              `${num(p.packageSeconds)} s, priced by their package)`
            : ` (the tariff gives ${num(p.spentAtLeast)}: no call their package prices)`),
      );
    }
    const f = m.freeCredit;
    if (f && (p || f.spent !== 0 || f.reservedChange !== 0 || f.totalChange !== 0)) {
      lines.push(
        `           free credits spent ${num(f.spent)} (at most ${num(f.spentAtMost)}), ` +
          `reserved change ${num(f.reservedChange)}, total change ${num(f.totalChange)}`,
      );
    }
    const b = m.bundles;
    if (b) {
      const per = Object.entries(b.byBundle)
        .map(([id, u]) => `${id} ${num(u.spent)} (usage says ${num(u.expected)})`)
        .join(', ');
      lines.push(
        `           ${num(b.accounts)} accounts holding bundles spent of them ${per || 'nothing'}, ` +
          `reserved change ${num(b.reservedChange)}, total change ${num(b.totalChange)}`,
      );
    }
    if (m.notChecked) lines.push(`           not checked exactly: ${m.notChecked}`);
  }
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  lines.push(r.ok ? 'Result: OK' : 'Result: FAILED (see above)');
  return lines.join('\n');
}
