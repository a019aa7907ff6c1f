import { ResultCode } from '../errors/result-codes.js';
import { NONE, type AnswerInfo } from './answers.js';
import type { ChargeSink } from './money.js';
import { RequestType, RequestedAction, type CcrWriter, type Service } from './requests.js';
import type { DataSpec, DebitSpec, SmsSpec, VoiceSpec } from './scenario.js';

/**
 * One simulated credit-control session, as a PCEF or an IMS node drives it: it writes its next
 * request, then learns from the answer what comes after. At most one request is outstanding.
 * The runner keeps its own bookkeeping in the public fields.
 */
export abstract class SimSession {
  /** CC-Request-Type of the request being sent or waited for. */
  requestType: number = RequestType.initial;
  /** CC-Request-Number of the next request. */
  number = 0;
  /** Some request was refused (a Result-Code other than 2001). */
  refused = false;
  done = false;

  // Runner bookkeeping.
  /** The request last written, kept to send it again after a 3004. */
  lastRequest: Buffer | undefined;
  /** The next send repeats `lastRequest`: the server answered it 3004 (too busy). */
  resend = false;
  sentAt = 0;
  readyAt = 0;
  peer = -1;

  constructor(
    readonly kindIndex: number,
    readonly id: string,
    readonly msisdn: string,
  ) {}

  /** Writes the next request (hop-by-hop given) and counts its request number. */
  abstract write(w: CcrWriter, hopByHop: number, nowMs: number): Buffer;

  /** Takes the answer to the outstanding request; sets `done` when the session is over. */
  abstract onAnswer(a: AnswerInfo, charges: ChargeSink): void;
}

/** The Result-Code that applies to a rating group: its MSCC's, else the command's. */
function codeFor(a: AnswerInfo, rg: number): { code: number; granted: number; final: boolean } {
  const i = rg >= 0 ? a.msccIndex(rg) : -1;
  if (i >= 0) {
    const code = a.msccResultCode[i] || a.resultCode;
    return { code, granted: a.msccGranted[i]!, final: a.msccFinalUnit[i]! || a.finalUnit };
  }
  if (a.msccCount === 1 && rg < 0) {
    return {
      code: a.msccResultCode[0] || a.resultCode,
      granted: a.msccGranted[0]!,
      final: a.msccFinalUnit[0]! || a.finalUnit,
    };
  }
  return { code: a.resultCode, granted: a.granted, final: a.finalUnit };
}

/** Usage in a CCR-U / CCR-T was charged when the command succeeded or its MSCC got 2001 or 4012. */
function usageCharged(a: AnswerInfo, rg: number): boolean {
  if (a.resultCode === ResultCode.SUCCESS) return true;
  const i = a.msccIndex(rg);
  const code = i >= 0 ? a.msccResultCode[i] : a.resultCode;
  return code === ResultCode.SUCCESS || code === ResultCode.CREDIT_LIMIT_REACHED;
}

/**
 * A data session: CCR-I asking quota for each rating group, `updates` CCR-Us each reporting
 * what was used (never more than was granted) and asking again, then a CCR-T with the last
 * usage. A rating group that is refused or gets its final units asks no more; when none asks,
 * the session goes to its CCR-T. A refused CCR-I ends the session (the server opened none).
 */
export class DataSession extends SimSession {
  private step = 0;
  private readonly granted: number[];
  private readonly asking: boolean[];
  private readonly reported: number[];

  constructor(
    kindIndex: number,
    id: string,
    msisdn: string,
    private readonly spec: DataSpec,
  ) {
    super(kindIndex, id, msisdn);
    this.granted = spec.ratingGroups.map(() => 0);
    this.asking = spec.ratingGroups.map(() => true);
    this.reported = spec.ratingGroups.map(() => 0);
  }

  write(w: CcrWriter, hopByHop: number, nowMs: number): Buffer {
    const { spec } = this;
    const rgs = spec.ratingGroups;
    const type =
      this.step === 0
        ? RequestType.initial
        : this.step > spec.updates || !this.asking.includes(true)
          ? RequestType.termination
          : RequestType.update;
    this.requestType = type;
    w.begin(hopByHop, this.id, 'data', type, this.number++, this.msisdn, nowMs);
    if (type === RequestType.initial) {
      w.multipleServicesIndicator();
      for (const rg of rgs) w.mscc('data', rg, spec.requestedOctets, -1);
    } else {
      const anyGrant = this.granted.some((g) => g > 0);
      for (let i = 0; i < rgs.length; i++) {
        const used = Math.min(spec.usedOctets, this.granted[i]!);
        this.reported[i] = used;
        const ask = type === RequestType.update && this.asking[i]!;
        // Report every rating group that held a grant; with none at all, a zero report each.
        if (this.granted[i]! > 0 || ask || !anyGrant)
          w.mscc('data', rgs[i]!, ask ? spec.requestedOctets : -1, used);
      }
    }
    return w.finish();
  }

  onAnswer(a: AnswerInfo, charges: ChargeSink): void {
    const rgs = this.spec.ratingGroups;
    if (this.requestType !== RequestType.initial) {
      for (let i = 0; i < rgs.length; i++) {
        if (this.reported[i]! > 0 && usageCharged(a, rgs[i]!))
          charges.add(this.msisdn, 'data', rgs[i]!, this.reported[i]!);
        this.reported[i] = 0;
      }
    }
    if (this.requestType === RequestType.termination) {
      if (a.resultCode !== ResultCode.SUCCESS) this.refused = true;
      this.done = true;
      return;
    }
    if (a.resultCode !== ResultCode.SUCCESS) {
      this.refused = true;
      if (this.requestType === RequestType.initial) {
        this.done = true;
        return;
      }
      this.granted.fill(0);
      this.asking.fill(false);
      this.step++;
      return;
    }
    for (let i = 0; i < rgs.length; i++) {
      if (!this.asking[i]) {
        this.granted[i] = 0;
        continue;
      }
      const r = codeFor(a, rgs[i]!);
      if (r.code !== ResultCode.SUCCESS) {
        this.refused = true;
        this.asking[i] = false;
        this.granted[i] = 0;
      } else {
        this.granted[i] = Math.max(0, r.granted);
        if (r.final || r.granted <= 0) this.asking[i] = false;
      }
    }
    this.step++;
  }
}

/**
 * A voice call (originating leg, IMS-Information with both parties): CCR-I asks a chunk of
 * CC-Time; while the call lasts longer than the grant, a CCR-U reports the whole grant as used
 * and asks again; the CCR-T reports the rest. Final units end the call within that grant.
 */
export class VoiceSession extends SimSession {
  private remaining: number;
  private granted = 0;
  private terminating = false;
  private reported = 0;

  constructor(
    kindIndex: number,
    id: string,
    msisdn: string,
    private readonly spec: VoiceSpec,
    readonly calling: string,
    readonly called: string,
    readonly vpn: boolean,
  ) {
    super(kindIndex, id, msisdn);
    this.remaining = spec.callSeconds;
  }

  write(w: CcrWriter, hopByHop: number, nowMs: number): Buffer {
    const { spec } = this;
    const type =
      this.number === 0
        ? RequestType.initial
        : this.terminating
          ? RequestType.termination
          : RequestType.update;
    this.requestType = type;
    w.begin(hopByHop, this.id, 'voice', type, this.number++, this.msisdn, nowMs);
    if (type === RequestType.initial) {
      w.mscc('voice', spec.ratingGroup, spec.chunkSeconds, -1);
    } else {
      const used = type === RequestType.termination ? Math.min(this.remaining, this.granted) : this.granted;
      this.reported = used;
      this.remaining -= used;
      w.mscc('voice', spec.ratingGroup, type === RequestType.update ? spec.chunkSeconds : -1, used);
    }
    w.ims(this.calling, this.called);
    return w.finish();
  }

  onAnswer(a: AnswerInfo, charges: ChargeSink): void {
    const rg = this.spec.ratingGroup;
    if (this.reported > 0 && usageCharged(a, rg))
      charges.add(this.msisdn, 'voice', rg, this.reported, { called: this.called, vpn: this.vpn });
    this.reported = 0;
    if (this.requestType === RequestType.termination) {
      if (a.resultCode !== ResultCode.SUCCESS) this.refused = true;
      this.done = true;
      return;
    }
    const r = codeFor(a, rg);
    if (r.code !== ResultCode.SUCCESS) {
      this.refused = true;
      if (this.requestType === RequestType.initial) this.done = true;
      this.granted = 0;
      this.terminating = true;
      return;
    }
    this.granted = Math.max(0, r.granted);
    if (r.final || this.granted === 0 || this.remaining <= this.granted) this.terminating = true;
  }
}

/** One CCR-E with Requested-Action DIRECT_DEBITING: an SMS, or a direct debit of units. */
export class EventSession extends SimSession {
  private readonly service: Service;
  private readonly units: number;
  private readonly ratingGroup: number;

  constructor(kindIndex: number, id: string, msisdn: string, spec: SmsSpec | DebitSpec) {
    super(kindIndex, id, msisdn);
    this.requestType = RequestType.event;
    this.service = spec.kind === 'sms' ? 'sms' : spec.service;
    this.units = spec.kind === 'sms' ? spec.messages : spec.units;
    this.ratingGroup = spec.ratingGroup ?? NONE;
  }

  write(w: CcrWriter, hopByHop: number, nowMs: number): Buffer {
    w.begin(hopByHop, this.id, this.service, RequestType.event, this.number++, this.msisdn, nowMs);
    w.requestedAction(RequestedAction.directDebiting);
    if (this.ratingGroup >= 0) w.mscc(this.service, this.ratingGroup, this.units, -1);
    else w.units(this.service, this.units, -1);
    return w.finish();
  }

  onAnswer(a: AnswerInfo, charges: ChargeSink): void {
    const r = codeFor(a, this.ratingGroup);
    if (r.code === ResultCode.SUCCESS && a.resultCode === ResultCode.SUCCESS) {
      charges.add(
        this.msisdn,
        this.service,
        Math.max(0, this.ratingGroup),
        r.granted >= 0 ? r.granted : this.units,
      );
    } else {
      this.refused = true;
    }
    this.done = true;
  }
}
