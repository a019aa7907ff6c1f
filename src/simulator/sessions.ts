import { ResultCode } from '../errors/result-codes.js';
import type { AnswerInfo } from './answers.js';
import type { ChargeSink } from './money.js';
import { RequestType, type CcrWriter } from './requests.js';

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
  /** The server sent a RAR: the next CCR-U asks again, with Reporting-Reason FORCED_REAUTHORISATION. */
  protected forcedReauthorisation = false;
  /** The server sent an ASR: the next request is the CCR-T. */
  protected aborting = false;

  constructor(
    readonly kindIndex: number,
    readonly id: string,
    readonly msisdn: string,
  ) {}

  /** Writes the next request (hop-by-hop given) and counts its request number. */
  abstract write(w: CcrWriter, hopByHop: number, nowMs: number): Buffer;

  /** Takes the answer to the outstanding request; sets `done` when the session is over. */
  abstract onAnswer(a: AnswerInfo, charges: ChargeSink): void;

  /** A Re-Auth-Request for this session (RFC 4006 §5.5): false when it is over (answer 5002). */
  reauthorize(): boolean {
    if (this.done) return false;
    this.forcedReauthorisation = true;
    return true;
  }

  /** An Abort-Session-Request (RFC 6733 §8.5): false when it is over (answer 5002). */
  abortSession(): boolean {
    if (this.done) return false;
    this.aborting = true;
    return true;
  }
}

/** TS 32.299 §7.2.175 Reporting-Reason: the usage reported because the server asked (a RAR). */
export const FORCED_REAUTHORISATION = 7;

/** What applies to a rating group (Result-Code, grant, final units): its MSCC's, else the command's. */
export function answerFor(a: AnswerInfo, rg: number): { code: number; granted: number; final: boolean } {
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
export function usageCharged(a: AnswerInfo, rg: number): boolean {
  if (a.resultCode === ResultCode.SUCCESS) return true;
  const i = a.msccIndex(rg);
  const code = i >= 0 ? a.msccResultCode[i] : a.resultCode;
  return code === ResultCode.SUCCESS || code === ResultCode.CREDIT_LIMIT_REACHED;
}
