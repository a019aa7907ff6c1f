import { build, type Histogram } from 'hdr-histogram-js';

/** Index = CC-Request-Type (RFC 4006 §8.3). */
export const REQUEST_LABEL = ['', 'CCR-I', 'CCR-U', 'CCR-T', 'CCR-E'] as const;
const TYPES = [1, 2, 3, 4] as const;

/** Latency of one request type, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** The percentile distribution, for plots: [percentile, milliseconds]. */
  distribution: [number, number][];
}

export interface UnexpectedAnswer {
  request: string;
  /** 'command' for the Result-Code of the answer, 'mscc' for one inside an MSCC. */
  level: 'command' | 'mscc';
  resultCode: number;
  count: number;
  exampleSessionId: string;
  errorMessage?: string;
}

export interface KindCounts {
  started: number;
  completed: number;
  /** Completed, but some request was refused. */
  refused: number;
  /** Cut short: a request timed out or the connection closed. */
  aborted: number;
}

export interface MoneyCheck {
  /** What the scenario's tariff gives for the usage the server accepted (minor units). */
  expected: number;
  /** The same for VPN calls, which a VPN package may price differently. */
  expectedVpn: number;
  /** Change of `spent` over the provisioned accounts, when they could be read. */
  spent?: number;
  /** Change of `reserved`: 0 once every session has ended. */
  reservedChange?: number;
  /** Change of available + reserved + spent: 0 (only top-ups and refunds move it). */
  totalChange?: number;
  accounts?: number;
  /**
   * The accounts whose voice calls a VPN package may price (members with a package of
   * intra-group voice): their money is checked apart, within bounds.
   */
  members?: {
    accounts: number;
    /** Their voice reports a package may have priced, and the seconds reported. */
    packageReports: number;
    packageSeconds: number;
    /** Change of their money's `spent`: at least what the tariff gives for the rest of their usage... */
    spent: number;
    spentAtLeast: number;
    /** ...and at most that plus the most the package calls can cost in money. */
    spentAtMost: number;
  };
  /** Every bucket but money (VPN free credits): spent by at most what package calls can take. */
  freeCredit?: { spent: number; spentAtMost: number; reservedChange: number; totalChange: number };
  /** What the money check could only bound, not compare exactly; absent when it compared everything. */
  notChecked?: string;
  consistent?: boolean;
}

export interface CpuFigure {
  userMs: number;
  systemMs: number;
  /** (user + system) per CCR answered. */
  microsPerCcr: number;
}

/** The end-of-run report; also the JSON file written for CI. */
export interface Report {
  scenario: string;
  startedAt: string;
  seconds: number;
  peers: number;
  mode: string;
  ccr: {
    sent: number;
    answered: number;
    timedOut: number;
    /** Sent but neither answered nor timed out when the run ended (connection lost, stopped). */
    unanswered: number;
    perSecond: number;
    byType: Record<string, { sent: number; answered: number; timedOut: number }>;
    /** Due by the schedule but not sent (the sender or the in-flight window could not keep up). */
    missed: number;
    /** Answers 3004 (too busy): each request was sent again, and is counted once in the rest. */
    busy: number;
  };
  sessions: Record<string, KindCounts> & { total: KindCounts };
  resultCodes: Record<string, Record<string, number>>;
  msccResultCodes: Record<string, number>;
  unexpected: UnexpectedAnswer[];
  unexpectedTotal: number;
  latencyMs: Record<string, LatencySummary>;
  /** The simulator's CPU, and that of the processes named with --server-pid. */
  cpu: { simulator: CpuFigure; processes: (CpuFigure & { pid: number })[] };
  money?: MoneyCheck;
  /** Lines worth reading: the run did not go as the scenario expected. */
  warnings: string[];
  ok: boolean;
}

function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counters and latency histograms (microseconds) of one run. */
export class Stats {
  readonly sent = [0, 0, 0, 0, 0];
  readonly answered = [0, 0, 0, 0, 0];
  readonly timedOut = [0, 0, 0, 0, 0];
  readonly busyAnswers = [0, 0, 0, 0, 0];
  readonly latency: Histogram[] = [histogram(), histogram(), histogram(), histogram(), histogram()];
  readonly codes: Map<number, number>[] = [new Map(), new Map(), new Map(), new Map(), new Map()];
  readonly msccCodes = new Map<number, number>();
  readonly unexpected = new Map<string, UnexpectedAnswer>();
  unexpectedTotal = 0;
  readonly kinds: Map<string, KindCounts>;
  /** Answers in the current progress interval. */
  answeredSinceTick = 0;
  errorsSinceStart = 0;

  constructor(kindNames: readonly string[]) {
    this.kinds = new Map(kindNames.map((k) => [k, { started: 0, completed: 0, refused: 0, aborted: 0 }]));
  }

  get totalSent(): number {
    return this.sent[1]! + this.sent[2]! + this.sent[3]! + this.sent[4]!;
  }

  get totalAnswered(): number {
    return this.answered[1]! + this.answered[2]! + this.answered[3]! + this.answered[4]!;
  }

  get totalTimedOut(): number {
    return this.timedOut[1]! + this.timedOut[2]! + this.timedOut[3]! + this.timedOut[4]!;
  }

  /** A 3004 (too busy): the request is sent again, so it is not answered yet. */
  busy(type: number): void {
    this.busyAnswers[type]!++;
  }

  answer(type: number, latencyMicros: number, resultCode: number): void {
    this.answered[type]!++;
    this.answeredSinceTick++;
    this.latency[type]!.recordValue(latencyMicros < 1 ? 1 : Math.round(latencyMicros));
    bump(this.codes[type]!, resultCode);
  }

  mscc(resultCode: number): void {
    bump(this.msccCodes, resultCode);
  }

  /** An answer code the scenario did not expect; `detail` is read only for the first of its kind. */
  unexpectedAnswer(
    type: number,
    level: 'command' | 'mscc',
    resultCode: number,
    sessionId: string,
    detail: () => string | undefined,
  ): void {
    this.unexpectedTotal++;
    this.errorsSinceStart++;
    const key = `${type}:${level}:${resultCode}`;
    const seen = this.unexpected.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    const entry: UnexpectedAnswer = {
      request: REQUEST_LABEL[type] ?? String(type),
      level,
      resultCode,
      count: 1,
      exampleSessionId: sessionId,
    };
    const message = detail();
    if (message) entry.errorMessage = message;
    this.unexpected.set(key, entry);
  }

  timeout(type: number): void {
    this.timedOut[type]!++;
    this.errorsSinceStart++;
  }

  kind(name: string): KindCounts {
    return this.kinds.get(name)!;
  }

  summary(type: number): LatencySummary {
    return summarise(this.latency[type]!);
  }

  /** All request types in one histogram. */
  overall(): LatencySummary {
    const all = histogram();
    for (const t of TYPES) if (this.latency[t]!.totalCount) all.add(this.latency[t]!);
    const s = summarise(all);
    all.destroy();
    return s;
  }

  codesOf(type: number): Record<string, number> {
    return Object.fromEntries(
      [...this.codes[type]!].sort((a, b) => a[0] - b[0]).map(([c, n]) => [String(c), n]),
    );
  }

  /** The parts of the report the counters give; the runner adds the rest. */
  fill(report: Report): void {
    const byType: Report['ccr']['byType'] = {};
    const resultCodes: Report['resultCodes'] = {};
    const latency: Report['latencyMs'] = {};
    for (const t of TYPES) {
      if (!this.sent[t]) continue;
      const label = REQUEST_LABEL[t];
      byType[label] = { sent: this.sent[t]!, answered: this.answered[t]!, timedOut: this.timedOut[t]! };
      resultCodes[label] = this.codesOf(t);
      if (this.answered[t]) latency[label] = this.summary(t);
    }
    if (this.totalAnswered) latency.all = this.overall();
    report.ccr.sent = this.totalSent;
    report.ccr.answered = this.totalAnswered;
    report.ccr.timedOut = this.totalTimedOut;
    report.ccr.busy = this.busyAnswers.reduce((a, b) => a + b, 0);
    report.ccr.unanswered = this.totalSent - this.totalAnswered - this.totalTimedOut;
    report.ccr.perSecond = report.seconds > 0 ? this.totalAnswered / report.seconds : 0;
    report.ccr.byType = byType;
    report.resultCodes = resultCodes;
    report.msccResultCodes = Object.fromEntries(
      [...this.msccCodes].sort((a, b) => a[0] - b[0]).map(([c, n]) => [String(c), n]),
    );
    report.latencyMs = latency;
    report.unexpected = [...this.unexpected.values()].sort((a, b) => b.count - a.count);
    report.unexpectedTotal = this.unexpectedTotal;
    const total: KindCounts = { started: 0, completed: 0, refused: 0, aborted: 0 };
    const sessions: Record<string, KindCounts> = {};
    for (const [name, k] of this.kinds) {
      sessions[name] = { ...k };
      total.started += k.started;
      total.completed += k.completed;
      total.refused += k.refused;
      total.aborted += k.aborted;
    }
    report.sessions = { ...sessions, total };
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Percentiles for plots: 0, 50, 75, 87.5, ... (halving what is left) up to 99.999, then max. */
export function distributionPercentiles(): number[] {
  const out = [0];
  for (let k = 1; k <= 17; k++) out.push(100 * (1 - 2 ** -k));
  out.push(100);
  return out;
}

function summarise(h: Histogram): LatencySummary {
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

/** An empty report to fill. */
export function emptyReport(scenario: string, peers: number, mode: string, startedAt: Date): Report {
  return {
    scenario,
    startedAt: startedAt.toISOString(),
    seconds: 0,
    peers,
    mode,
    ccr: { sent: 0, answered: 0, timedOut: 0, unanswered: 0, perSecond: 0, byType: {}, missed: 0, busy: 0 },
    sessions: { total: { started: 0, completed: 0, refused: 0, aborted: 0 } },
    resultCodes: {},
    msccResultCodes: {},
    unexpected: [],
    unexpectedTotal: 0,
    latencyMs: {},
    cpu: { simulator: { userMs: 0, systemMs: 0, microsPerCcr: 0 }, processes: [] },
    warnings: [],
    ok: true,
  };
}

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
      `${r.ccr.busy ? `, answered 3004 and sent again ${num(r.ccr.busy)}` : ''}: ${num(r.ccr.perSecond, 1)} CCR/s` +
      `${r.ccr.missed ? ` (${num(r.ccr.missed)} due by the schedule were not sent)` : ''}`,
  );
  const kinds = Object.entries(r.sessions).filter(([k, c]) => k !== 'total' && c.started > 0);
  const t = r.sessions.total;
  lines.push(
    `Sessions   started ${num(t.started)}, completed ${num(t.completed)}, with a refusal ${num(t.refused)}, aborted ${num(t.aborted)}` +
      (kinds.length > 1 ? `  (${kinds.map(([k, c]) => `${k} ${num(c.started)}`).join(', ')})` : ''),
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
    if (m.notChecked) lines.push(`           not checked exactly: ${m.notChecked}`);
  }
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  lines.push(r.ok ? 'Result: OK' : 'Result: FAILED (see above)');
  return lines.join('\n');
}
