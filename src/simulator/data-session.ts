import { ResultCode } from '../errors/result-codes.js';
import type { AnswerInfo } from './answers.js';
import type { ChargeSink } from './money.js';
import { RequestType, type CcrWriter } from './requests.js';
import type { DataSpec } from './scenario.js';
import { FORCED_REAUTHORISATION, SimSession, answerFor, usageCharged } from './sessions.js';

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
  /** When the grant being used was asked for, and when the request in flight was sent. */
  private grantedAtMs = 0;
  private sentAtMs = 0;

  constructor(
    kindIndex: number,
    id: string,
    msisdn: string,
    private readonly spec: DataSpec,
    /** Called-Station-Id and 3GPP-SGSN-MCC-MNC, when the scenario names them. */
    readonly access: { apn?: string | undefined; sgsnMccMnc?: string | undefined } = {},
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
        : this.aborting || this.step > spec.updates || !this.asking.includes(true)
          ? RequestType.termination
          : RequestType.update;
    this.requestType = type;
    w.begin(hopByHop, this.id, 'data', type, this.number++, this.msisdn, nowMs);
    this.sentAtMs = nowMs;
    if (type === RequestType.initial) {
      w.multipleServicesIndicator();
      for (const rg of rgs) w.mscc('data', rg, spec.requestedOctets, -1);
    } else {
      const anyGrant = this.granted.some((g) => g > 0);
      for (let i = 0; i < rgs.length; i++) {
        const used = Math.min(spec.usedOctets, this.granted[i]!);
        this.reported[i] = used;
        const ask = type === RequestType.update && this.asking[i]!;
        const reason = ask && this.forcedReauthorisation ? FORCED_REAUTHORISATION : -1;
        // Report every rating group that held a grant; with none at all, a zero report each.
        if (this.granted[i]! > 0 || ask || !anyGrant)
          w.mscc('data', rgs[i]!, ask ? spec.requestedOctets : -1, used, reason);
      }
      if (type === RequestType.update) this.forcedReauthorisation = false;
    }
    if (this.access.apn !== undefined || this.access.sgsnMccMnc !== undefined) w.ps(this.access);
    return w.finish();
  }

  /** Asked to re-authorise, every rating group asks for quota again, those refused or run dry too. */
  override reauthorize(): boolean {
    if (!super.reauthorize()) return false;
    this.asking.fill(true);
    // A session past its updates still sends the CCR-U the server asked for.
    if (this.step > this.spec.updates) this.step = this.spec.updates;
    return true;
  }

  onAnswer(a: AnswerInfo, charges: ChargeSink): void {
    const rgs = this.spec.ratingGroups;
    if (this.requestType !== RequestType.initial) {
      for (let i = 0; i < rgs.length; i++) {
        if (this.reported[i]! > 0 && usageCharged(a, rgs[i]!))
          charges.add(this.msisdn, 'data', rgs[i]!, this.reported[i]!, {
            ...this.access,
            atMs: this.grantedAtMs,
          });
        this.reported[i] = 0;
      }
    }
    // Usage is charged at the price of the moment its grant was made (DESIGN §3, Time bands).
    this.grantedAtMs = this.sentAtMs;
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
      const r = answerFor(a, rgs[i]!);
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
