import { performance } from 'node:perf_hooks';
import { defaultDictionary, type Dictionary } from '../diameter/dictionary.js';
import { AnswerInfo, MAX_MSCC, MalformedAnswerError, errorMessageOf, readAnswer } from './answers.js';
import { DiameterClient } from './client.js';
import { cpuSince, ownCpu, processCpu, type CpuTime } from './cpu.js';
import { NO_CHARGES, type ChargeSink } from './money.js';
import { Pacer, ShareCounter, WeightedPicker } from './pacing.js';
import { CcrWriter } from './requests.js';
import { numberAt, type KindSpec, type NumberRange, type Scenario } from './scenario.js';
import { DataSession, EventSession, SimSession, VoiceSession } from './sessions.js';

/** DIAMETER_TOO_BUSY: refused by the server's admission limit, not processed. */
const TOO_BUSY = 3004;
/** How long a request answered 3004 waits before it is sent again. */
const BUSY_PAUSE_MS = 20;
/** Where the Hop-by-Hop Identifier sits in a Diameter header. */
const HOP_BY_HOP_OFFSET = 12;
import { emptyReport, type Report } from './report.js';
import { Stats } from './stats.js';

/** A snapshot for the live progress line. */
export interface Progress {
  seconds: number;
  /** Answers per second over the last interval. */
  perSecond: number;
  inFlight: number;
  activeSessions: number;
  sent: number;
  answered: number;
  /** Unexpected answers and timeouts so far. */
  errors: number;
  phase: Phase;
}

export type Phase = 'connecting' | 'running' | 'draining' | 'stopping' | 'done';

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
  /** Where usage the server accepted is priced (the money check). */
  charges?: ChargeSink;
  /** Other processes (the server, its Redis) whose CPU per CCR the report shows. */
  serverPids?: readonly number[];
  dictionary?: Dictionary;
}

export class SimulatorError extends Error {
  override name = 'SimulatorError';
}

/** A first-in first-out queue of sessions that never shifts an array. */
class Fifo {
  private items: (SimSession | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(s: SimSession): void {
    this.items.push(s);
  }

  peek(): SimSession | undefined {
    return this.items[this.head];
  }

  shift(): SimSession | undefined {
    if (this.head >= this.items.length) return undefined;
    const s = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return s;
  }

  drain(): SimSession[] {
    const out = this.items.slice(this.head) as SimSession[];
    this.items = [];
    this.head = 0;
    return out;
  }
}

interface Peer {
  index: number;
  client: DiameterClient;
  writer: CcrWriter;
  originHost: string;
  /** Requests waiting for answers, by hop-by-hop id, in the order they were sent. */
  pending: Map<number, SimSession>;
  corked: boolean;
  uncork: () => void;
  open: boolean;
}

interface KindRuntime {
  spec: KindSpec;
  name: string;
  /** expect[code] === 1 when the Result-Code is accepted. */
  expect: Uint8Array;
  pauseMs: number;
  serving: RangeCursor;
  called?: RangeCursor;
  vpn?: ShareCounter;
  shortCursor: number;
}

/** Walks a number range round and round. */
class RangeCursor {
  private i = 0;
  constructor(private readonly range: NumberRange) {}
  next(): string {
    const n = numberAt(this.range, this.i);
    this.i = (this.i + 1) % this.range.count;
    return n;
  }
}

function expectSet(codes: readonly number[]): Uint8Array {
  const set = new Uint8Array(6000);
  for (const c of codes) set[c] = 1;
  return set;
}

/**
 * How often the runner wakes up: often enough that a paced rate goes out in small bursts, not
 * so often that waking up costs more than sending. Concurrency mode sends on answers and only
 * needs the tick for timeouts, pauses and progress.
 */
export function tickMs(s: Scenario): number {
  const m = s.mode;
  if (m.type === 'concurrency') return 10;
  const perSecond = m.ccrPerSecond ?? m.sessionsPerSecond! * 2;
  return perSecond >= 10000 ? 1 : perSecond >= 2500 ? 2 : 5;
}

function modeLabel(s: Scenario): string {
  const m = s.mode;
  if (m.type === 'concurrency') return `${m.sessions} sessions in flight`;
  const rate = m.ccrPerSecond !== undefined ? `${m.ccrPerSecond} CCR/s` : `${m.sessionsPerSecond} sessions/s`;
  return `rate ${rate}${m.rampSeconds ? ` (ramp ${m.rampSeconds} s)` : ''}`;
}

/**
 * Runs a scenario against a server: opens the peers (CER/CEA; the client answers DWRs), starts
 * sessions at the scenario's pace, drives each through its requests as answers come, checks
 * every answer against the expected Result-Codes, and returns the report. Requests are written
 * straight into bytes and answers read by offset, so the simulator stays cheap next to the
 * server it measures.
 */
export class Runner {
  readonly stats: Stats;
  private readonly dict: Dictionary;
  private readonly kinds: KindRuntime[];
  private readonly picker: WeightedPicker;
  private readonly peers: Peer[] = [];
  private readonly answer = new AnswerInfo();
  private readonly ready = new Fifo();
  private readonly paused = new Map<number, Fifo>();
  private readonly charges: ChargeSink;
  private readonly timeoutMs: number;
  private readonly runTag = Date.now().toString(36);
  private pacer: Pacer | undefined;
  private phase: Phase = 'connecting';
  private t0 = 0;
  private tEnd = 0;
  private deadline = 0;
  private seq = 0;
  private nextPeer = 0;
  private inFlight = 0;
  private active = 0;
  private started = 0;
  private lastProgress = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished: (() => void) | undefined;
  private readonly warnings: string[] = [];
  private lateAnswers = 0;
  private malformed = 0;
  private stopEarly = false;
  private stoppedByUser = false;
  private lastAnswerAt = 0;

  constructor(
    readonly scenario: Scenario,
    private readonly options: RunOptions = {},
  ) {
    this.dict = options.dictionary ?? defaultDictionary();
    this.charges = options.charges ?? NO_CHARGES;
    this.timeoutMs = scenario.answerTimeoutSeconds * 1000;
    const counts = new Map<string, number>();
    this.kinds = scenario.mix.map((spec) => {
      const n = (counts.get(spec.kind) ?? 0) + 1;
      counts.set(spec.kind, n);
      const k: KindRuntime = {
        spec,
        name: n === 1 ? spec.kind : `${spec.kind}-${n}`,
        expect: expectSet(spec.expect ?? scenario.expect),
        pauseMs: spec.pauseSeconds * 1000,
        serving: new RangeCursor(scenario.msisdn),
        shortCursor: 0,
      };
      if (spec.kind === 'voice') {
        if (spec.calling) k.serving = new RangeCursor(spec.calling);
        if (spec.called) k.called = new RangeCursor(spec.called);
        if (spec.vpn) k.vpn = new ShareCounter(spec.vpn.share);
      }
      return k;
    });
    // Kinds that serve from the scenario's range share one cursor, so accounts are spread evenly.
    const shared = new RangeCursor(scenario.msisdn);
    for (const k of this.kinds) if (!(k.spec.kind === 'voice' && k.spec.calling)) k.serving = shared;
    this.picker = new WeightedPicker(scenario.mix.map((k) => k.weight));
    this.stats = new Stats(this.kinds.map((k) => k.name));
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
    await this.connect();
    const cpuBefore = ownCpu();
    const pids = this.options.serverPids ?? [];
    const serverBefore = pids.map(processCpu);
    this.t0 = performance.now();
    this.lastProgress = this.t0;
    this.phase = 'running';
    const m = this.scenario.mode;
    if (m.type === 'rate') this.pacer = new Pacer(m.ccrPerSecond ?? m.sessionsPerSecond!, m.rampSeconds);
    await new Promise<void>((resolve) => {
      this.finished = resolve;
      this.timer = setInterval(() => this.tick(), tickMs(this.scenario));
      if (this.stopEarly) this.beginStopping();
      else this.tick();
    });
    const cpuAfter = ownCpu();
    const serverAfter = pids.map(processCpu);
    await this.disconnect();
    return this.report(startedAt, cpuBefore, cpuAfter, serverBefore, serverAfter);
  }

  private async connect(): Promise<void> {
    const { peers } = this.scenario;
    for (let i = 0; i < peers.count; i++) {
      const client = new DiameterClient(peers.server.port, this.dict, peers.server.host);
      const originHost = peers.originHost.replaceAll('{n}', String(i + 1));
      client.originHost = originHost;
      client.originRealm = peers.originRealm;
      let cea;
      try {
        cea = await client.open();
      } catch (err) {
        await Promise.all(this.peers.map((p) => p.client.close()));
        throw new SimulatorError(
          `cannot open peer ${originHost} to ${peers.server.host}:${peers.server.port}: ${(err as Error).message}`,
        );
      }
      const rc = cea.get('Result-Code');
      if (rc !== 2001) {
        await client.close();
        await Promise.all(this.peers.map((p) => p.client.close()));
        throw new SimulatorError(
          `peer ${originHost}: the server answered the CER with Result-Code ${String(rc)}` +
            `${cea.get('Error-Message') ? ` (${String(cea.get('Error-Message'))})` : ''}`,
        );
      }
      const peer: Peer = {
        index: i,
        client,
        writer: new CcrWriter(this.dict, {
          originHost,
          originRealm: peers.originRealm,
          destinationRealm: peers.destinationRealm,
        }),
        originHost,
        pending: new Map(),
        corked: false,
        uncork: () => {
          peer.corked = false;
          if (peer.open) client.uncork();
        },
        open: true,
      };
      client.onAnswerFrame = (frame) => this.onAnswer(peer, frame);
      client.onClose = () => this.onPeerClosed(peer);
      this.peers.push(peer);
    }
  }

  private async disconnect(): Promise<void> {
    await Promise.all(
      this.peers.map(async (p) => {
        p.client.onAnswerFrame = undefined;
        p.client.onClose = undefined;
        if (!p.open) return;
        p.open = false;
        await p.client.disconnect().catch(() => p.client.close());
      }),
    );
  }

  private seconds(now: number): number {
    return (now - this.t0) / 1000;
  }

  private tick(): void {
    const now = performance.now();
    this.sweepTimeouts(now);
    this.releasePaused(now);
    const { stop } = this.scenario;
    if (this.phase === 'running' && stop.duration !== undefined && this.seconds(now) >= stop.duration)
      this.beginDraining(now);
    if (this.phase === 'running') this.pace(now);
    else if (this.phase === 'draining') this.flushReady();
    if (now - this.lastProgress >= (this.options.progressIntervalMs ?? 1000)) this.progress(now);
    if (this.phase === 'draining') {
      if (this.active === 0) this.end();
      else if (now >= this.deadline) {
        this.warnings.push(
          `${this.active} session(s) had not ended ${this.scenario.stop.drainSeconds} s after the stop; their remaining requests were not sent`,
        );
        this.beginStopping();
      }
    } else if (this.phase === 'stopping') {
      if (this.inFlight === 0 || now >= this.deadline) this.end();
    }
  }

  private canStart(): boolean {
    const limit = this.scenario.stop.sessions;
    return this.phase === 'running' && (limit === undefined || this.started < limit);
  }

  private pace(now: number): void {
    const m = this.scenario.mode;
    if (m.type === 'concurrency') {
      while (this.active < m.sessions && this.canStart()) this.startSession(-1);
    } else {
      const pacer = this.pacer!;
      let due = pacer.due(this.seconds(now));
      if (m.ccrPerSecond !== undefined) {
        // Every CCR is paced: sessions waiting for their next request go first.
        while (due > 0 && this.ready.length > 0) {
          this.send(this.ready.shift()!);
          pacer.take(1);
          due--;
        }
      }
      while (due > 0 && this.canStart() && this.inFlight < m.maxInFlight) {
        this.startSession(-1);
        pacer.take(1);
        due--;
      }
      if (due > 0 && this.canStart()) pacer.skip(due);
    }
    if (!this.canStart() && this.phase === 'running') this.beginDraining(now);
  }

  private beginDraining(now: number): void {
    if (this.phase !== 'running') return;
    this.phase = 'draining';
    this.tEnd = now;
    this.deadline = now + this.scenario.stop.drainSeconds * 1000;
    this.flushReady();
    if (this.active === 0) this.end();
  }

  /** Stops sending; waits for the answers still due, at most the answer timeout. */
  private beginStopping(): void {
    if (this.phase !== 'running' && this.phase !== 'draining') return;
    const now = performance.now();
    if (this.phase === 'running') this.tEnd = now;
    this.phase = 'stopping';
    this.deadline = now + Math.min(this.timeoutMs, 5000);
    for (const s of this.ready.drain()) this.abort(s);
    for (const q of this.paused.values()) for (const s of q.drain()) this.abort(s);
    if (this.inFlight === 0) this.end();
  }

  private end(): void {
    if (this.phase === 'done') return;
    const now = performance.now();
    if (this.phase === 'running' || !this.tEnd) this.tEnd = now;
    // Answers that came after the stop still count in the time taken.
    this.tEnd = Math.max(this.tEnd, this.lastAnswerAt);
    this.phase = 'done';
    clearInterval(this.timer);
    for (const p of this.peers) {
      for (const s of p.pending.values()) this.abort(s);
      // Answers still to come are late: they no longer count.
      p.pending.clear();
    }
    this.finished?.();
  }

  private flushReady(): void {
    while (this.ready.length > 0) this.send(this.ready.shift()!);
  }

  private startSession(peerIndex: number): void {
    const peer = this.pickPeer(peerIndex);
    if (!peer) return;
    const ki = this.picker.next();
    const k = this.kinds[ki]!;
    const id = `${peer.originHost};${this.runTag};${++this.seq}`;
    const msisdn = k.serving.next();
    const spec = k.spec;
    let s: SimSession;
    switch (spec.kind) {
      case 'data':
        s = new DataSession(ki, id, msisdn, spec);
        break;
      case 'voice': {
        const vpn = k.vpn?.next() ?? false;
        let called: string;
        if (vpn && spec.vpn) {
          const shorts = spec.vpn.shortNumbers;
          called = spec.vpn.format.replaceAll('{short}', shorts[k.shortCursor++ % shorts.length]!);
        } else {
          called = `tel:+${k.called!.next()}`;
        }
        s = new VoiceSession(ki, id, msisdn, spec, `tel:+${msisdn}`, called, vpn);
        break;
      }
      case 'sms':
      case 'debit':
        s = new EventSession(ki, id, msisdn, spec);
        break;
    }
    s.peer = peer.index;
    this.started++;
    this.active++;
    this.stats.kind(k.name).started++;
    this.send(s);
  }

  /** The given peer when it is open, else the next open one in turn. */
  private pickPeer(preferred: number): Peer | undefined {
    const p = preferred >= 0 ? this.peers[preferred] : undefined;
    if (p?.open) return p;
    for (let i = 0; i < this.peers.length; i++) {
      const q = this.peers[this.nextPeer++ % this.peers.length]!;
      if (q.open) return q;
    }
    return undefined;
  }

  private send(s: SimSession): void {
    const peer = this.peers[s.peer]!;
    if (!peer.open || this.phase === 'stopping' || this.phase === 'done') {
      this.abort(s);
      return;
    }
    const hop = peer.client.nextHopByHop();
    let bytes: Buffer;
    if (s.resend && s.lastRequest) {
      // The same request again, under a new Hop-by-Hop id; its latency counts from the first try.
      bytes = s.lastRequest;
      bytes.writeUInt32BE(hop, HOP_BY_HOP_OFFSET);
      s.resend = false;
    } else {
      bytes = s.write(peer.writer, hop, Date.now());
      s.lastRequest = bytes;
      s.sentAt = performance.now();
      this.stats.sent[s.requestType]!++;
    }
    peer.pending.set(hop, s);
    this.inFlight++;
    if (!peer.corked) {
      peer.corked = true;
      peer.client.cork();
      process.nextTick(peer.uncork);
    }
    peer.client.write(bytes);
  }

  private onAnswer(peer: Peer, frame: Buffer): void {
    const a = this.answer;
    let session: SimSession | undefined;
    try {
      readAnswer(frame, a);
    } catch (err) {
      if (!(err instanceof MalformedAnswerError)) throw err;
      this.malformed++;
      session = peer.pending.get(frame.readUInt32BE(12));
      if (session) {
        peer.pending.delete(frame.readUInt32BE(12));
        this.inFlight--;
        this.stats.unexpectedAnswer(session.requestType, 'command', 0, session.id, () => err.message);
        this.abort(session);
      }
      return;
    }
    session = peer.pending.get(a.hopByHop);
    if (!session) {
      this.lateAnswers++;
      return;
    }
    peer.pending.delete(a.hopByHop);
    this.inFlight--;
    const now = performance.now();
    this.lastAnswerAt = now;
    const type = session.requestType;
    if (a.resultCode === TOO_BUSY) {
      // RFC 6733 §7.1.3: the server refused it unprocessed; a client sends it again (here,
      // to the same server after a pause) rather than giving the session up.
      this.stats.busy(type);
      if (this.phase === 'stopping' || this.phase === 'done') this.abort(session);
      else this.pause(session, BUSY_PAUSE_MS, now, true);
      if (this.phase === 'stopping' && this.inFlight === 0) this.end();
      return;
    }
    this.stats.answer(type, (now - session.sentAt) * 1000, a.resultCode);
    const k = this.kinds[session.kindIndex]!;
    if (k.expect[a.resultCode] !== 1)
      this.stats.unexpectedAnswer(type, 'command', a.resultCode, session.id, () => errorMessageOf(frame, a));
    const n = Math.min(a.msccCount, MAX_MSCC);
    for (let i = 0; i < n; i++) {
      const code = a.msccResultCode[i]!;
      if (code === 0) continue;
      this.stats.mscc(code);
      if (k.expect[code] !== 1)
        this.stats.unexpectedAnswer(type, 'mscc', code, session.id, () => errorMessageOf(frame, a));
    }
    session.onAnswer(a, this.charges);
    if (session.done) {
      this.complete(session);
    } else if (this.phase === 'stopping' || this.phase === 'done') {
      this.abort(session);
    } else if (k.pauseMs > 0) {
      this.pause(session, k.pauseMs, now, false);
    } else {
      this.dispatch(session);
    }
    if (this.phase === 'stopping' && this.inFlight === 0) this.end();
  }

  /** Holds the session `ms` before its next request (or the same one again, with `resend`). */
  private pause(s: SimSession, ms: number, now: number, resend: boolean): void {
    s.resend = resend;
    s.readyAt = now + ms;
    let q = this.paused.get(ms);
    if (!q) this.paused.set(ms, (q = new Fifo()));
    q.push(s);
  }

  /** The session's next request: now, or when a paced CCR is due. */
  private dispatch(s: SimSession): void {
    const m = this.scenario.mode;
    if (this.phase === 'running' && m.type === 'rate' && m.ccrPerSecond !== undefined) this.ready.push(s);
    else this.send(s);
  }

  private releasePaused(now: number): void {
    for (const q of this.paused.values()) {
      for (let s = q.peek(); s && s.readyAt <= now; s = q.peek()) this.dispatch(q.shift()!);
    }
  }

  private complete(s: SimSession): void {
    this.active--;
    const counts = this.stats.kind(this.kinds[s.kindIndex]!.name);
    counts.completed++;
    if (s.refused) counts.refused++;
    this.replace(s);
  }

  private abort(s: SimSession): void {
    if (s.done) return;
    s.done = true;
    this.active--;
    this.stats.kind(this.kinds[s.kindIndex]!.name).aborted++;
    this.replace(s);
  }

  /** In concurrency mode a session that ends makes room for a new one on the same peer. */
  private replace(s: SimSession): void {
    const m = this.scenario.mode;
    if (m.type === 'concurrency' && this.canStart() && this.active < m.sessions) this.startSession(s.peer);
    if (this.phase === 'draining' && this.active === 0) this.end();
  }

  private sweepTimeouts(now: number): void {
    const limit = now - this.timeoutMs;
    for (const peer of this.peers) {
      for (const [hop, s] of peer.pending) {
        if (s.sentAt > limit) break;
        peer.pending.delete(hop);
        this.inFlight--;
        this.stats.timeout(s.requestType);
        this.abort(s);
      }
    }
  }

  private onPeerClosed(peer: Peer): void {
    if (!peer.open) return;
    peer.open = false;
    this.warnings.push(`the server closed peer ${peer.originHost}'s connection during the run`);
    for (const s of peer.pending.values()) {
      this.inFlight--;
      this.abort(s);
    }
    peer.pending.clear();
    if (this.peers.every((p) => !p.open) && this.phase !== 'done') this.end();
  }

  private progress(now: number): void {
    const interval = (now - this.lastProgress) / 1000;
    this.lastProgress = now;
    const perSecond = interval > 0 ? this.stats.answeredSinceTick / interval : 0;
    this.stats.answeredSinceTick = 0;
    this.options.onProgress?.({
      seconds: this.seconds(now),
      perSecond,
      inFlight: this.inFlight,
      activeSessions: this.active,
      sent: this.stats.totalSent,
      answered: this.stats.totalAnswered,
      errors: this.stats.errorsSinceStart,
      phase: this.phase,
    });
  }

  private report(
    startedAt: Date,
    cpuBefore: CpuTime,
    cpuAfter: CpuTime,
    serverBefore: (CpuTime | undefined)[],
    serverAfter: (CpuTime | undefined)[],
  ): Report {
    const r = emptyReport(
      this.scenario.name ?? 'scenario',
      this.peers.length,
      modeLabel(this.scenario),
      startedAt,
    );
    r.seconds = Math.round(this.seconds(this.tEnd) * 1000) / 1000;
    this.stats.fill(r);
    r.ccr.missed = this.pacer?.missed ?? 0;
    r.cpu.simulator = cpuSince(cpuBefore, cpuAfter, r.ccr.answered);
    (this.options.serverPids ?? []).forEach((pid, i) => {
      const before = serverBefore[i];
      const after = serverAfter[i];
      if (before && after) r.cpu.processes.push({ pid, ...cpuSince(before, after, r.ccr.answered) });
      else this.warnings.push(`could not read the CPU time of pid ${pid} from /proc`);
    });
    if (this.stoppedByUser) this.warnings.push('stopped before the end: sessions in progress were cut short');
    if (r.ccr.timedOut)
      this.warnings.push(
        `${r.ccr.timedOut} CCR(s) got no answer within ${this.scenario.answerTimeoutSeconds} s`,
      );
    if (r.ccr.unanswered) this.warnings.push(`${r.ccr.unanswered} CCR(s) were still unanswered at the end`);
    if (r.ccr.answered === 0) this.warnings.push('no CCR was answered');
    if (this.lateAnswers)
      this.warnings.push(`${this.lateAnswers} answer(s) came after their request had timed out`);
    if (this.malformed) this.warnings.push(`${this.malformed} answer(s) could not be read (bad AVP lengths)`);
    if (r.ccr.busy)
      this.warnings.push(
        `${r.ccr.busy} CCR(s) were answered 3004 (server too busy) and sent again after ${BUSY_PAUSE_MS} ms`,
      );
    if (r.ccr.missed) {
      const m = this.scenario.mode;
      this.warnings.push(
        `${r.ccr.missed} ${m.type === 'rate' && m.ccrPerSecond !== undefined ? 'CCRs' : 'session starts'} due by the schedule were not sent: the target rate was not held`,
      );
    }
    r.warnings = [...this.warnings];
    r.ok = r.unexpectedTotal === 0 && r.ccr.timedOut === 0 && r.ccr.unanswered === 0 && r.ccr.answered > 0;
    return r;
  }
}
