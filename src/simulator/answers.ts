import { resolveAvps } from '../diameter/avps.js';
import {
  DictionaryError,
  defaultDictionary,
  type AvpDefinition,
  type Dictionary,
} from '../diameter/dictionary.js';
import { AvpFlags, CommandFlags, HEADER_LENGTH } from '../diameter/message.js';
import { HeaderOffset } from './header.js';

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
 * Reads answer frames by walking the AVPs by offset: no tree, no copies, grouped AVPs entered
 * only when they matter. The AVPs it reads are IETF ones (RFC 6733, RFC 4006), matched by the
 * codes the dictionary gives them, looked up once.
 */
export class AnswerReader {
  private readonly resultCode: number;
  private readonly errorMessage: number;
  private readonly experimentalResult: number;
  private readonly experimentalResultCode: number;
  private readonly mscc: number;
  private readonly grantedServiceUnit: number;
  private readonly ratingGroup: number;
  private readonly finalUnitIndication: number;
  private readonly ccTime: number;
  private readonly ccTotalOctets: number;
  private readonly ccInputOctets: number;
  private readonly ccOutputOctets: number;
  private readonly ccServiceSpecificUnits: number;

  constructor(dict: Dictionary) {
    const avps = resolveAvps(dict);
    const ietf = (def: AvpDefinition): number => {
      if (def.vendorId !== 0)
        throw new DictionaryError(`${def.name} must be an IETF AVP to be read from answers`);
      return def.code;
    };
    this.resultCode = ietf(avps.resultCode);
    this.errorMessage = ietf(avps.errorMessage);
    this.experimentalResult = ietf(avps.experimentalResult);
    this.experimentalResultCode = ietf(avps.experimentalResultCode);
    this.mscc = ietf(avps.multipleServicesCreditControl);
    this.grantedServiceUnit = ietf(avps.grantedServiceUnit);
    this.ratingGroup = ietf(avps.ratingGroup);
    this.finalUnitIndication = ietf(avps.finalUnitIndication);
    this.ccTime = ietf(avps.ccTime);
    this.ccTotalOctets = ietf(avps.ccTotalOctets);
    this.ccInputOctets = ietf(avps.ccInputOctets);
    this.ccOutputOctets = ietf(avps.ccOutputOctets);
    this.ccServiceSpecificUnits = ietf(avps.ccServiceSpecificUnits);
  }

  /**
   * Reads one answer frame (its whole bytes, framing already checked) into `out`.
   * Throws MalformedAnswerError when an AVP length does not fit.
   */
  read(frame: Buffer, out: AnswerInfo): AnswerInfo {
    out.commandCode = frame.readUIntBE(HeaderOffset.commandCode, 3);
    out.errorBit = (frame[HeaderOffset.flags]! & CommandFlags.Error) !== 0;
    out.hopByHop = frame.readUInt32BE(HeaderOffset.hopByHop);
    out.resultCode = 0;
    out.granted = NONE;
    out.finalUnit = false;
    out.msccCount = 0;
    out.errorMessageAt = -1;
    out.errorMessageLength = 0;
    const end = Math.min(frame.length, frame.readUIntBE(HeaderOffset.length, 3));
    for (let p = HEADER_LENGTH; p + 8 <= end;) {
      const code = frame.readUInt32BE(p);
      const flags = frame[p + 4]!;
      const length = frame.readUIntBE(p + 5, 3);
      const vendor = (flags & AvpFlags.Vendor) !== 0;
      if (length < (vendor ? 12 : 8) || p + length > end)
        throw new MalformedAnswerError(`AVP ${code} at ${p} has length ${length}`);
      if (!vendor) {
        const data = p + 8;
        if (code === this.resultCode) {
          if (length === 12) out.resultCode = frame.readUInt32BE(data);
        } else if (code === this.experimentalResult) {
          for (let q = data; q + 12 <= p + length; q += (frame.readUIntBE(q + 5, 3) + 3) & ~3) {
            const len = frame.readUIntBE(q + 5, 3);
            if (len < 8) break;
            if (frame.readUInt32BE(q) === this.experimentalResultCode && len === 12)
              out.resultCode = frame.readUInt32BE(q + 8);
          }
        } else if (code === this.mscc) {
          if (out.msccCount < MAX_MSCC) this.readMscc(frame, data, p + length, out, out.msccCount);
          out.msccCount++;
        } else if (code === this.grantedServiceUnit) {
          out.granted = this.grantedAmount(frame, data, p + length);
        } else if (code === this.finalUnitIndication) {
          out.finalUnit = true;
        } else if (code === this.errorMessage) {
          out.errorMessageAt = data;
          out.errorMessageLength = length - 8;
        }
      }
      p += (length + 3) & ~3;
    }
    return out;
  }

  private readMscc(buf: Buffer, start: number, end: number, out: AnswerInfo, i: number): void {
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
        if (code === this.resultCode && length === 12) out.msccResultCode[i] = buf.readUInt32BE(data);
        else if (code === this.ratingGroup && length === 12) out.msccRatingGroup[i] = buf.readUInt32BE(data);
        else if (code === this.grantedServiceUnit)
          out.msccGranted[i] = this.grantedAmount(buf, data, p + length);
        else if (code === this.finalUnitIndication) out.msccFinalUnit[i] = true;
      }
      p += (length + 3) & ~3;
    }
  }

  /**
   * Walks a Granted-Service-Unit's members for its amount: CC-Total-Octets, else input plus
   * output octets, else CC-Time, else CC-Service-Specific-Units (CC-Money is not read).
   */
  private grantedAmount(buf: Buffer, start: number, end: number): number {
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
        if (code === this.ccTotalOctets && size === 8) total = u64(buf, data);
        else if ((code === this.ccInputOctets || code === this.ccOutputOctets) && size === 8)
          inOut = (inOut === NONE ? 0 : inOut) + u64(buf, data);
        else if (code === this.ccTime && size === 4) time = buf.readUInt32BE(data);
        else if (code === this.ccServiceSpecificUnits && size === 8) units = u64(buf, data);
      }
      p += (length + 3) & ~3;
    }
    return total !== NONE ? total : inOut !== NONE ? inOut : time !== NONE ? time : units;
  }
}

let defaultReader: AnswerReader | undefined;

/** Reads one answer frame into `out` with the package's own dictionary (see AnswerReader.read). */
export function readAnswer(frame: Buffer, out: AnswerInfo): AnswerInfo {
  return (defaultReader ??= new AnswerReader(defaultDictionary())).read(frame, out);
}

/** The answer's Error-Message, read only when someone wants to show it. */
export function errorMessageOf(frame: Buffer, info: AnswerInfo): string | undefined {
  if (info.errorMessageAt < 0) return undefined;
  return frame.toString('utf8', info.errorMessageAt, info.errorMessageAt + info.errorMessageLength);
}
