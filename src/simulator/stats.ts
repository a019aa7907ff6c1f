import type { Histogram } from 'hdr-histogram-js';
import { latencyHistogram, summarise } from './latency.js';
import type { KindCounts, LatencySummary, Report, UnexpectedAnswer } from './report.js';

export type { Report } from './report.js';

/** Index = CC-Request-Type (RFC 4006 §8.3). */
export const REQUEST_LABEL = ['', 'CCR-I', 'CCR-U', 'CCR-T', 'CCR-E'] as const;
const TYPES = [1, 2, 3, 4] as const;

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counters and latency histograms (microseconds) of one run. */
export class Stats {
  readonly sent = [0, 0, 0, 0, 0];
  readonly answered = [0, 0, 0, 0, 0];
  readonly timedOut = [0, 0, 0, 0, 0];
  readonly busyAnswers = [0, 0, 0, 0, 0];
  readonly latency: Histogram[] = [
    latencyHistogram(),
    latencyHistogram(),
    latencyHistogram(),
    latencyHistogram(),
    latencyHistogram(),
  ];
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
    const all = latencyHistogram();
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
