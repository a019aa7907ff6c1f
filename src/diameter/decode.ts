import {
  AvpFlags,
  CommandFlags,
  HEADER_LENGTH,
  type Avp,
  type DiameterMessage,
  type MessageHeader,
} from './message.js';
import { ResultCode } from '../errors/result-codes.js';

/**
 * Something wrong with the bytes of a message. `resultCode` is what RFC 6733 §7.1 says to
 * answer; `failedAvp` (when set) goes into the answer's Failed-AVP; `fatal` means the stream
 * can no longer be framed and the connection must close after the answer.
 */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly resultCode: number,
    message: string,
    readonly fatal: boolean,
    readonly failedAvp?: Avp,
    /** The AVPs before the bad one, still usable for the answer (e.g. Session-Id). */
    readonly decoded: readonly Avp[] = [],
  ) {
    super(message);
  }
}

/** An AVP whose grouped content is decoded at most once, when first read. */
export class WireAvp implements Avp {
  private children: Avp[] | undefined;
  constructor(
    readonly code: number,
    readonly vendorId: number,
    readonly flags: number,
    readonly data: Buffer,
  ) {}

  /** The AVPs inside a Grouped AVP; throws DecodeError 5014 if they cannot be framed. */
  members(): readonly Avp[] {
    return (this.children ??= decodeAvps(this.data, 0, this.data.length, this));
  }
}

/** The AVPs inside a Grouped AVP (decoded once and cached for AVPs that came off the wire). */
export function groupMembers(avp: Avp): readonly Avp[] {
  return avp instanceof WireAvp ? avp.members() : decodeAvps(avp.data, 0, avp.data.length, avp);
}

/** Reads the fixed 20-byte header (RFC 6733 §3); the caller has checked there are 20 bytes. */
export function readHeader(buf: Buffer, offset = 0): MessageHeader {
  return {
    version: buf[offset]!,
    length: buf.readUIntBE(offset + 1, 3),
    flags: buf[offset + 4]!,
    commandCode: buf.readUIntBE(offset + 5, 3),
    applicationId: buf.readUInt32BE(offset + 8),
    hopByHop: buf.readUInt32BE(offset + 12),
    endToEnd: buf.readUInt32BE(offset + 16),
  };
}

/**
 * Decodes the AVPs between start and end (RFC 6733 §4.1). Every length is checked against
 * what is left, so a zero, short or overlong length is an error, never a loop.
 */
export function decodeAvps(buf: Buffer, start: number, end: number, parent?: Avp): WireAvp[] {
  const avps: WireAvp[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) {
      throw avpLengthError(buf, offset, end, 'fewer than 8 bytes left for an AVP header', parent, avps);
    }
    const code = buf.readUInt32BE(offset);
    const flags = buf[offset + 4]!;
    const length = buf.readUIntBE(offset + 5, 3);
    const vendorSpecific = (flags & AvpFlags.Vendor) !== 0;
    const headerLength = vendorSpecific ? 12 : 8;
    if (length < headerLength || offset + length > end) {
      throw avpLengthError(
        buf,
        offset,
        end,
        `AVP ${code} has length ${length}, ${length < headerLength ? `under its header size ${headerLength}` : `past the end of its container by ${offset + length - end}`}`,
        parent,
        avps,
      );
    }
    const vendorId = vendorSpecific ? buf.readUInt32BE(offset + 8) : 0;
    avps.push(new WireAvp(code, vendorId, flags, buf.subarray(offset + headerLength, offset + length)));
    // Padding to 4 is not part of the length (§4.1); the last AVP of a group may end unpadded.
    offset += (length + 3) & ~3;
  }
  return avps;
}

function avpLengthError(
  buf: Buffer,
  offset: number,
  end: number,
  why: string,
  parent: Avp | undefined,
  decoded: readonly Avp[],
): DecodeError {
  // RFC 6733 §7.1.5: for a length past the message or under the header size, the offending
  // header with a zero-filled payload is enough in Failed-AVP.
  const code = end - offset >= 4 ? buf.readUInt32BE(offset) : 0;
  const flags = end - offset >= 5 ? buf[offset + 4]! : 0;
  const vendorId = flags & AvpFlags.Vendor && end - offset >= 12 ? buf.readUInt32BE(offset + 8) : 0;
  const failed = parent ?? new WireAvp(code, vendorId, flags, Buffer.alloc(4));
  return new DecodeError(ResultCode.INVALID_AVP_LENGTH, why, false, failed, parent ? [] : decoded);
}

/** Decodes one whole message (`buf` holds exactly its bytes, framing already checked). */
export function decodeMessage(buf: Buffer): DiameterMessage {
  const header = readHeader(buf);
  const avps = decodeAvps(buf, HEADER_LENGTH, header.length);
  return { ...header, avps, raw: buf };
}

/** Header bits that contradict each other (RFC 6733 §3): answered with 3008. */
export function headerBitsProblem(header: MessageHeader): string | undefined {
  const request = (header.flags & CommandFlags.Request) !== 0;
  const error = (header.flags & CommandFlags.Error) !== 0;
  if (request && error) return 'E bit set on a request';
  return undefined;
}
