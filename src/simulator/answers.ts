import { AvpFlags, CommandFlags, HEADER_LENGTH } from '../diameter/message.js';

/** IETF AVP codes the simulator reads from a CCA (RFC 6733, RFC 4006). */
const AVP = {
  resultCode: 268,
  errorMessage: 281,
  experimentalResult: 297,
  experimentalResultCode: 298,
  mscc: 456,
  grantedServiceUnit: 431,
  ratingGroup: 432,
  finalUnitIndication: 430,
  ccTime: 420,
  ccTotalOctets: 421,
  ccInputOctets: 412,
  ccOutputOctets: 414,
  ccServiceSpecificUnits: 417,
} as const;

/** The most MSCCs read from one answer; later ones are counted but not read. */
export const MAX_MSCC = 16;

/** Granted units when no Granted-Service-Unit was there. */
export const NONE = -1;

/**
 * What the simulator needs of an answer, read into one reused object: the header, the
 * Result-Code at command level and in each MSCC, the granted units and whether they are final.
 */
export class AnswerInfo {
  hopByHop = 0;
  commandCode = 0;
  errorBit = false;
  /** Result-Code or Experimental-Result-Code; 0 when neither is there. */
  resultCode = 0;
  /** Command-level Granted-Service-Unit amount, or NONE. */
  granted = NONE;
  finalUnit = false;
  /** MSCCs in the answer (may exceed MAX_MSCC; only that many are read). */
  msccCount = 0;
  readonly msccRatingGroup: number[] = new Array<number>(MAX_MSCC).fill(NONE);
  readonly msccResultCode: number[] = new Array<number>(MAX_MSCC).fill(0);
  readonly msccGranted: number[] = new Array<number>(MAX_MSCC).fill(NONE);
  readonly msccFinalUnit: boolean[] = new Array<boolean>(MAX_MSCC).fill(false);
  /** Where the Error-Message text is in the frame (offset, length), or -1. */
  errorMessageAt = -1;
  errorMessageLength = 0;

  /** The index of the MSCC with this rating group, or -1. */
  msccIndex(ratingGroup: number): number {
    const n = Math.min(this.msccCount, MAX_MSCC);
    for (let i = 0; i < n; i++) if (this.msccRatingGroup[i] === ratingGroup) return i;
    return -1;
  }
}

export class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
}

function u64(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

/**
 * Walks a Granted-Service-Unit's members for its amount: CC-Total-Octets, else input plus
 * output octets, else CC-Time, else CC-Service-Specific-Units (CC-Money is not read).
 */
function grantedAmount(buf: Buffer, start: number, end: number): number {
  let total = NONE;
  let inOut = NONE;
  let time = NONE;
  let units = NONE;
  for (let p = start; p + 8 <= end;) {
    const code = buf.readUInt32BE(p);
    const flags = buf[p + 4]!;
    const length = buf.readUIntBE(p + 5, 3);
    if (length < 8 || p + length > end) throw new MalformedAnswerError(`AVP ${code} overruns its group`);
    if ((flags & AvpFlags.Vendor) === 0) {
      const data = p + 8;
      const size = length - 8;
      if (code === AVP.ccTotalOctets && size === 8) total = u64(buf, data);
      else if ((code === AVP.ccInputOctets || code === AVP.ccOutputOctets) && size === 8)
        inOut = (inOut === NONE ? 0 : inOut) + u64(buf, data);
      else if (code === AVP.ccTime && size === 4) time = buf.readUInt32BE(data);
      else if (code === AVP.ccServiceSpecificUnits && size === 8) units = u64(buf, data);
    }
    p += (length + 3) & ~3;
  }
  return total !== NONE ? total : inOut !== NONE ? inOut : time !== NONE ? time : units;
}

function readMscc(buf: Buffer, start: number, end: number, out: AnswerInfo, i: number): void {
  out.msccRatingGroup[i] = NONE;
  out.msccResultCode[i] = 0;
  out.msccGranted[i] = NONE;
  out.msccFinalUnit[i] = false;
  for (let p = start; p + 8 <= end;) {
    const code = buf.readUInt32BE(p);
    const flags = buf[p + 4]!;
    const length = buf.readUIntBE(p + 5, 3);
    if (length < 8 || p + length > end) throw new MalformedAnswerError(`AVP ${code} overruns its MSCC`);
    if ((flags & AvpFlags.Vendor) === 0) {
      const data = p + 8;
      if (code === AVP.resultCode && length === 12) out.msccResultCode[i] = buf.readUInt32BE(data);
      else if (code === AVP.ratingGroup && length === 12) out.msccRatingGroup[i] = buf.readUInt32BE(data);
      else if (code === AVP.grantedServiceUnit) out.msccGranted[i] = grantedAmount(buf, data, p + length);
      else if (code === AVP.finalUnitIndication) out.msccFinalUnit[i] = true;
    }
    p += (length + 3) & ~3;
  }
}

/**
 * Reads one answer frame (its whole bytes, framing already checked) into `out` by walking the
 * AVPs by offset: no tree, no copies, grouped AVPs entered only when they matter.
 * Throws MalformedAnswerError when an AVP length does not fit.
 */
export function readAnswer(frame: Buffer, out: AnswerInfo): AnswerInfo {
  out.commandCode = frame.readUIntBE(5, 3);
  out.errorBit = (frame[4]! & CommandFlags.Error) !== 0;
  out.hopByHop = frame.readUInt32BE(12);
  out.resultCode = 0;
  out.granted = NONE;
  out.finalUnit = false;
  out.msccCount = 0;
  out.errorMessageAt = -1;
  out.errorMessageLength = 0;
  const end = Math.min(frame.length, frame.readUIntBE(1, 3));
  for (let p = HEADER_LENGTH; p + 8 <= end;) {
    const code = frame.readUInt32BE(p);
    const flags = frame[p + 4]!;
    const length = frame.readUIntBE(p + 5, 3);
    const vendor = (flags & AvpFlags.Vendor) !== 0;
    if (length < (vendor ? 12 : 8) || p + length > end)
      throw new MalformedAnswerError(`AVP ${code} at ${p} has length ${length}`);
    if (!vendor) {
      const data = p + 8;
      switch (code) {
        case AVP.resultCode:
          if (length === 12) out.resultCode = frame.readUInt32BE(data);
          break;
        case AVP.experimentalResult:
          for (let q = data; q + 12 <= p + length; q += (frame.readUIntBE(q + 5, 3) + 3) & ~3) {
            const len = frame.readUIntBE(q + 5, 3);
            if (len < 8) break;
            if (frame.readUInt32BE(q) === AVP.experimentalResultCode && len === 12)
              out.resultCode = frame.readUInt32BE(q + 8);
          }
          break;
        case AVP.mscc:
          if (out.msccCount < MAX_MSCC) readMscc(frame, data, p + length, out, out.msccCount);
          out.msccCount++;
          break;
        case AVP.grantedServiceUnit:
          out.granted = grantedAmount(frame, data, p + length);
          break;
        case AVP.finalUnitIndication:
          out.finalUnit = true;
          break;
        case AVP.errorMessage:
          out.errorMessageAt = data;
          out.errorMessageLength = length - 8;
          break;
      }
    }
    p += (length + 3) & ~3;
  }
  return out;
}

/** The answer's Error-Message, read only when someone wants to show it. */
export function errorMessageOf(frame: Buffer, info: AnswerInfo): string | undefined {
  if (info.errorMessageAt < 0) return undefined;
  return frame.toString('utf8', info.errorMessageAt, info.errorMessageAt + info.errorMessageLength);
}
