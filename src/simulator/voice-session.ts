import { ResultCode } from '../errors/result-codes.js';
import type { AnswerInfo } from './answers.js';
import type { ChargeSink } from './money.js';
import { RequestType, type CcrWriter } from './requests.js';
import type { VoiceSpec } from './scenario.js';
import { SimSession, answerFor, usageCharged } from './sessions.js';

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
  /** When the grant being used was asked for, and when the request in flight was sent. */
  private grantedAtMs = 0;
  private sentAtMs = 0;

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
        : this.terminating || this.aborting
          ? RequestType.termination
          : RequestType.update;
    this.requestType = type;
    w.begin(hopByHop, this.id, 'voice', type, this.number++, this.msisdn, nowMs);
    this.sentAtMs = nowMs;
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
      charges.add(this.msisdn, 'voice', rg, this.reported, {
        called: this.called,
        vpn: this.vpn,
        atMs: this.grantedAtMs,
      });
    this.reported = 0;
    // Usage is charged at the price of the moment its grant was made (DESIGN §3, Time bands).
    this.grantedAtMs = this.sentAtMs;
    if (this.requestType === RequestType.termination) {
      if (a.resultCode !== ResultCode.SUCCESS) this.refused = true;
      this.done = true;
      return;
    }
    const r = answerFor(a, rg);
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
