import { ResultCode } from '../errors/result-codes.js';
import { NONE, type AnswerInfo } from './answers.js';
import type { ChargeSink } from './money.js';
import { RequestType, RequestedAction, type CcrWriter, type Service } from './requests.js';
import type { DebitSpec, SmsSpec } from './scenario.js';
import { SimSession, answerFor } from './sessions.js';

/** One CCR-E with Requested-Action DIRECT_DEBITING: an SMS, or a direct debit of units. */
export class EventSession extends SimSession {
  private readonly service: Service;
  private readonly units: number;
  private readonly ratingGroup: number;
  private sentAtMs = 0;

  constructor(kindIndex: number, id: string, msisdn: string, spec: SmsSpec | DebitSpec) {
    super(kindIndex, id, msisdn);
    this.requestType = RequestType.event;
    this.service = spec.kind === 'sms' ? 'sms' : spec.service;
    this.units = spec.kind === 'sms' ? spec.messages : spec.units;
    this.ratingGroup = spec.ratingGroup ?? NONE;
  }

  write(w: CcrWriter, hopByHop: number, nowMs: number): Buffer {
    w.begin(hopByHop, this.id, this.service, RequestType.event, this.number++, this.msisdn, nowMs);
    this.sentAtMs = nowMs;
    w.requestedAction(RequestedAction.directDebiting);
    if (this.ratingGroup >= 0) w.mscc(this.service, this.ratingGroup, this.units, -1);
    else w.units(this.service, this.units, -1);
    return w.finish();
  }

  onAnswer(a: AnswerInfo, charges: ChargeSink): void {
    const r = answerFor(a, this.ratingGroup);
    if (r.code === ResultCode.SUCCESS && a.resultCode === ResultCode.SUCCESS) {
      charges.add(
        this.msisdn,
        this.service,
        Math.max(0, this.ratingGroup),
        r.granted >= 0 ? r.granted : this.units,
        { atMs: this.sentAtMs },
      );
    } else {
      this.refused = true;
    }
    this.done = true;
  }
}
