import { latencyHistogram, summarise } from './latency.js';
import type { KindCounts, LatencySummary, Report, UnexpectedAnswer } from './report.js';
import { RequestType } from './requests.js';

/** How the report names each CC-Request-Type (RFC 4006 §8.3). */
const LABELS: readonly (readonly [number, string])[] = [
  [RequestType.initial, 'CCR-I'],
  [RequestType.update, 'CCR-U'],
  [RequestType.termination, 'CCR-T'],
  [RequestType.event, 'CCR-E'],
];
const TYPES = LABELS.map(([type]) => type);
/** Counters are arrays indexed by CC-Request-Type. */
const SLOTS = Math.max(...TYPES) + 1;
const perType = <T>(make: () => T): T[] => Array.from({ length: SLOTS }, make);

function labelsByType(): string[] {
  const out = perType(() => '');
  for (const [type, label] of LABELS) out[type] = label;
  return out;
}

/** Index = CC-Request-Type. */
export const REQUEST_LABEL: readonly string[] = labelsByType();

const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counters and latency histograms (microseconds) of one run. */
export class Stats {
  readonly sent = perType(() => 0);
  readonly answered = perType(() => 0);
  readonly timedOut = perType(() => 0);
  readonly busyAnswers = perType(() => 0);
  readonly latency = perType(latencyHistogram);
  readonly codes = perType(() => new Map<number, number>());
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
    return sum(this.sent);
  }

  get totalAnswered(): number {
    return sum(this.answered);
  }

  get totalTimedOut(): number {
    return sum(this.timedOut);
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
      const label = REQUEST_LABEL[t]!;
      byType[label] = { sent: this.sent[t]!, answered: this.answered[t]!, timedOut: this.timedOut[t]! };
      resultCodes[label] = this.codesOf(t);
      if (this.answered[t]) latency[label] = this.summary(t);
    }
    if (this.totalAnswered) latency.all = this.overall();
    report.ccr.sent = this.totalSent;
    report.ccr.answered = this.totalAnswered;
    report.ccr.timedOut = this.totalTimedOut;
    report.ccr.busy = sum(this.busyAnswers);
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
