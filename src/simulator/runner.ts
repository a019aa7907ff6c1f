import { performance } from 'node:perf_hooks';
import { defaultDictionary, type Dictionary } from '../diameter/dictionary.js';
import { recordAnswer } from './answer-check.js';
import { AnswerReader, type AnswerInfo } from './answers.js';
import { BUSY_PAUSE_MS, isTooBusy } from './busy-retry.js';
import { CpuWatch } from './cpu.js';
import { Exchange } from './exchange.js';
import { SessionMaker } from './kinds.js';
import { NO_CHARGES, type ChargeSink } from './money.js';
import { PeerSet, type Peer } from './peers.js';
import { ProgressReporter, type Phase, type Progress } from './progress.js';
import type { Report } from './report.js';
import { runReport } from './run-report.js';
import { SessionBook } from './session-book.js';
import type { Scenario } from './scenario.js';
import { Schedule, tickMs, type ScheduleHost } from './schedule.js';
import { ServerRequestAnswers } from './server-requests.js';
import type { SimSession } from './sessions.js';
import { Stats } from './stats.js';

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
  /** Where usage the server accepted is priced (the money check). */
  charges?: ChargeSink;
  /** Other processes (the server, its Redis) whose CPU per CCR the report shows. */
  serverPids?: readonly number[];
  dictionary?: Dictionary;
}

/**
 * Runs a scenario against a server: opens the peers, starts sessions at the scenario's pace,
 * drives each through its requests as answers come, checks every answer against the expected
 * Result-Codes, and returns the report. The run goes through its phases here: running until
 * the scenario's stop, draining while started sessions end, stopping when told to (or when
 * draining takes too long) while the answers still due come in, then done.
 */
export class Runner {
  readonly stats: Stats;
  private readonly dict: Dictionary;
  private readonly sessions: SessionMaker;
  private readonly book: SessionBook;
  private readonly peers = new PeerSet();
  private readonly exchange: Exchange;
  private readonly schedule: Schedule;
  private readonly serverRequests: ServerRequestAnswers;
  private readonly progress: ProgressReporter;
  private readonly cpu: CpuWatch;
  private readonly charges: ChargeSink;
  private readonly timeoutMs: number;
  private readonly warnings: string[] = [];
  private phase: Phase = 'connecting';
  private t0 = 0;
  private tEnd = 0;
  private deadline = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished: (() => void) | undefined;
  private stopEarly = false;
  private stoppedByUser = false;

  constructor(
    readonly scenario: Scenario,
    options: RunOptions = {},
  ) {
    this.dict = options.dictionary ?? defaultDictionary();
    this.charges = options.charges ?? NO_CHARGES;
    this.timeoutMs = scenario.answerTimeoutSeconds * 1000;
    this.sessions = new SessionMaker(scenario);
    this.stats = new Stats(this.sessions.kinds.map((k) => k.name));
    this.book = new SessionBook(this.sessions, this.stats);
    this.exchange = new Exchange(new AnswerReader(this.dict), this.stats, this.timeoutMs, {
      answered: (s, a, frame, now) => this.onAnswered(s, a, frame, now),
      lost: (s) => this.abort(s),
    });
    this.schedule = new Schedule(scenario.mode, this.scheduleHost());
    this.serverRequests = new ServerRequestAnswers(this.dict, this.book);
    this.progress = new ProgressReporter(this.stats, options.onProgress, options.progressIntervalMs);
    this.cpu = new CpuWatch(options.serverPids ?? []);
  }

  /** First call: stop sending and wait (bounded) for the answers still due. Second: end now. */
  stop(): void {
    this.stoppedByUser = true;
    if (this.phase === 'connecting') this.stopEarly = true;
    else if (this.phase === 'running' || this.phase === 'draining') this.beginStopping();
    else if (this.phase === 'stopping') this.end();
  }

  async run(): Promise<Report> {
    const startedAt = new Date();
    await this.peers.open(this.scenario, this.dict, {
      answer: (peer, frame) => this.exchange.onFrame(peer, frame),
      request: (peer, request) => this.serverRequests.take(peer, request),
      closed: (peer) => this.onPeerClosed(peer),
    });
    this.cpu.start();
    this.t0 = performance.now();
    this.progress.start(this.t0);
    this.phase = 'running';
    await new Promise<void>((resolve) => {
      this.finished = resolve;
      this.timer = setInterval(() => this.tick(), tickMs(this.scenario));
      if (this.stopEarly) this.beginStopping();
      else this.tick();
    });
    this.cpu.stop();
    await this.peers.close();
    const { exchange } = this;
    return runReport(
      this.scenario,
      this.stats,
      {
        startedAt,
        seconds: this.seconds(this.tEnd),
        peers: this.peers.all.length,
        missed: this.schedule.missed,
        lateAnswers: exchange.lateAnswers,
        malformed: exchange.malformed,
        stoppedByUser: this.stoppedByUser,
        warnings: this.warnings,
        serverRequests: this.serverRequests.counts,
      },
      this.cpu,
    );
  }

  private scheduleHost(): ScheduleHost {
    return {
      running: () => this.phase === 'running',
      active: () => this.book.active,
      inFlight: () => this.exchange.inFlight,
      canStart: () => this.canStart(),
      startSession: () => this.startSession(-1),
      send: (s) => this.send(s),
    };
  }

  private seconds(now: number): number {
    return (now - this.t0) / 1000;
  }

  private tick(): void {
    const now = performance.now();
    this.exchange.sweepTimeouts(this.peers.all, now);
    this.schedule.releasePaused(now);
    const { stop } = this.scenario;
    if (this.phase === 'running' && stop.duration !== undefined && this.seconds(now) >= stop.duration)
      this.beginDraining(now);
    if (this.phase === 'running') this.pace(now);
    else if (this.phase === 'draining') this.schedule.flushReady();
    if (this.progress.due(now)) {
      this.progress.report(now, {
        seconds: this.seconds(now),
        inFlight: this.exchange.inFlight,
        activeSessions: this.book.active,
        phase: this.phase,
      });
    }
    if (this.phase === 'draining') {
      if (this.book.active === 0) this.end();
      else if (now >= this.deadline) {
        this.warnings.push(
          `${this.book.active} session(s) had not ended ${stop.drainSeconds} s after the stop; their remaining requests were not sent`,
        );
        this.beginStopping();
      }
    } else if (this.phase === 'stopping') {
      if (this.exchange.inFlight === 0 || now >= this.deadline) this.end();
    }
  }

  private canStart(): boolean {
    const limit = this.scenario.stop.sessions;
    return this.phase === 'running' && (limit === undefined || this.book.started < limit);
  }

  private pace(now: number): void {
    this.schedule.pace(this.seconds(now));
    if (!this.canStart() && this.phase === 'running') this.beginDraining(now);
  }

  private beginDraining(now: number): void {
    if (this.phase !== 'running') return;
    this.phase = 'draining';
    this.tEnd = now;
    this.deadline = now + this.scenario.stop.drainSeconds * 1000;
    this.schedule.flushReady();
    if (this.book.active === 0) this.end();
  }

  /** Stops sending; waits for the answers still due, at most the answer timeout. */
  private beginStopping(): void {
    if (this.phase !== 'running' && this.phase !== 'draining') return;
    const now = performance.now();
    if (this.phase === 'running') this.tEnd = now;
    this.phase = 'stopping';
    this.deadline = now + Math.min(this.timeoutMs, 5000);
    for (const s of this.schedule.drain()) this.abort(s);
    if (this.exchange.inFlight === 0) this.end();
  }

  private end(): void {
    if (this.phase === 'done') return;
    const now = performance.now();
    if (this.phase === 'running' || !this.tEnd) this.tEnd = now;
    // Answers that came after the stop still count in the time taken.
    this.tEnd = Math.max(this.tEnd, this.exchange.lastAnswerAt);
    this.phase = 'done';
    clearInterval(this.timer);
    // Answers still to come are late: they no longer count.
    for (const p of this.peers.all) this.exchange.giveUp(p);
    this.finished?.();
  }

  private startSession(peerIndex: number): void {
    const peer = this.peers.pick(peerIndex);
    if (!peer) return;
    const s = this.book.start(peer);
    this.charges.opened?.(s.msisdn, this.grantsAtOnce(s));
    this.send(s);
  }

  /** A data session holds a grant per rating group at once; the others one. */
  private grantsAtOnce(s: SimSession): number {
    const spec = this.sessions.kind(s.kindIndex).spec;
    return spec.kind === 'data' ? spec.ratingGroups.length : 1;
  }

  private send(s: SimSession): void {
    const peer = this.peers.at(s.peer);
    if (!peer.open || this.phase === 'stopping' || this.phase === 'done') this.abort(s);
    else this.exchange.send(peer, s);
  }

  private onAnswered(s: SimSession, a: AnswerInfo, frame: Buffer, now: number): void {
    if (isTooBusy(a)) this.retryLater(s, now);
    else this.advance(s, a, frame, now);
    if (this.phase === 'stopping' && this.exchange.inFlight === 0) this.end();
  }

  private retryLater(s: SimSession, now: number): void {
    this.stats.busy(s.requestType);
    if (this.phase === 'stopping' || this.phase === 'done') this.abort(s);
    else this.schedule.pause(s, BUSY_PAUSE_MS, now, true);
  }

  /** Counts the answer, hands it to the session, and moves the session on. */
  private advance(s: SimSession, a: AnswerInfo, frame: Buffer, now: number): void {
    const kind = this.sessions.kind(s.kindIndex);
    recordAnswer(this.stats, kind.expect, s, a, frame, now);
    s.onAnswer(a, this.charges);
    if (s.done) this.complete(s);
    else if (this.phase === 'stopping' || this.phase === 'done') this.abort(s);
    else if (kind.pauseMs > 0) this.schedule.pause(s, kind.pauseMs, now, false);
    else this.schedule.dispatch(s);
  }

  private complete(s: SimSession): void {
    this.book.complete(s);
    this.charges.closed?.(s.msisdn, this.grantsAtOnce(s));
    this.replace(s);
  }

  private abort(s: SimSession): void {
    if (!this.book.abort(s)) return;
    this.charges.closed?.(s.msisdn, this.grantsAtOnce(s));
    this.replace(s);
  }

  /** In concurrency mode a session that ends makes room for a new one on the same peer. */
  private replace(s: SimSession): void {
    const m = this.scenario.mode;
    if (m.type === 'concurrency' && this.canStart() && this.book.active < m.sessions)
      this.startSession(s.peer);
    if (this.phase === 'draining' && this.book.active === 0) this.end();
  }

  private onPeerClosed(peer: Peer): void {
    if (!peer.open) return;
    peer.open = false;
    this.warnings.push(`the server closed peer ${peer.originHost}'s connection during the run`);
    this.exchange.giveUp(peer);
    if (!this.peers.anyOpen && this.phase !== 'done') this.end();
  }
}
