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

/** A big-endian unsigned 32-bit integer; the caller has checked the 4 bytes are there. */
export function uint32At(buf: Buffer, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}

function uint24At(buf: Buffer, offset: number): number {
  return (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
}

/**
 * An AVP as received: where its data lies in the message's buffer. The `data` view, the
 * members of a Grouped AVP and the text of a string AVP are each made at most once, when first
 * read, so AVPs that nothing reads cost no allocation beyond this object.
 */
export class WireAvp implements Avp {
  private view: Buffer | undefined = undefined;
  private children: WireAvp[] | undefined = undefined;
  /** The data as UTF-8 text, kept by readText (avp-value.ts) once it found it valid. */
  text: string | undefined = undefined;

  constructor(
    readonly code: number,
    readonly vendorId: number,
    readonly flags: number,
    /** The buffer holding the AVP (the whole message for one decoded off the wire). */
    readonly source: Buffer,
    /** Where the data starts in `source`, after the 8- or 12-byte header. */
    readonly start: number,
    /** Where the data ends in `source`, before any padding. */
    readonly end: number,
  ) {}

  get data(): Buffer {
    return (this.view ??= this.source.subarray(this.start, this.end));
  }

  /** Where the AVP's header starts in `source`. */
  get headerStart(): number {
    return this.start - (this.flags & AvpFlags.Vendor ? 12 : 8);
  }

  /** The AVPs inside a Grouped AVP; throws DecodeError 5014 if they cannot be framed. */
  members(): readonly WireAvp[] {
    return (this.children ??= decodeAvps(this.source, this.start, this.end, this));
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
    length: uint24At(buf, offset + 1),
    flags: buf[offset + 4]!,
    commandCode: uint24At(buf, offset + 5),
    applicationId: uint32At(buf, offset + 8),
    hopByHop: uint32At(buf, offset + 12),
    endToEnd: uint32At(buf, offset + 16),
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
    const code = uint32At(buf, offset);
    const flags = buf[offset + 4]!;
    const length = uint24At(buf, offset + 5);
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
    const vendorId = vendorSpecific ? uint32At(buf, offset + 8) : 0;
    avps.push(new WireAvp(code, vendorId, flags, buf, offset + headerLength, offset + length));
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
  const failed = parent ?? { code, vendorId, flags, data: Buffer.alloc(4) };
  return new DecodeError(ResultCode.INVALID_AVP_LENGTH, why, false, failed, parent ? [] : decoded);
}

/** Decodes one whole message (`buf` holds exactly its bytes, framing already checked). */
export function decodeMessage(buf: Buffer): DiameterMessage {
  const header = readHeader(buf);
  return messageOf(header, decodeAvps(buf, HEADER_LENGTH, header.length), buf);
}

/** A message from its header and AVPs, built field by field (one object shape for all). */
export function messageOf(header: MessageHeader, avps: readonly Avp[], raw: Buffer): DiameterMessage {
  return {
    version: header.version,
    length: header.length,
    flags: header.flags,
    commandCode: header.commandCode,
    applicationId: header.applicationId,
    hopByHop: header.hopByHop,
    endToEnd: header.endToEnd,
    avps,
    raw,
  };
}

/** Header bits that contradict each other (RFC 6733 §3): answered with 3008. */
export function headerBitsProblem(header: MessageHeader): string | undefined {
  const request = (header.flags & CommandFlags.Request) !== 0;
  const error = (header.flags & CommandFlags.Error) !== 0;
  if (request && error) return 'E bit set on a request';
  return undefined;
}
