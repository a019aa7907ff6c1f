import { AvpFlags, HEADER_LENGTH, type Avp, type MessageHeader } from './message.js';
import { encodeAddress, timeToNtpSeconds } from './avp-value.js';
import { WireAvp } from './decode.js';

/** What the writer needs to know of an AVP to write its header. */
export interface AvpHeaderSpec {
  readonly code: number;
  readonly vendorId: number;
  readonly mandatory: boolean;
}

const INITIAL_CAPACITY = 4096;

/**
 * Writes one message into a growing buffer, AVP by AVP, patching lengths afterwards
 * (RFC 6733 §3 and §4.1). One writer can be reused for many messages; `finish()` returns a
 * copy that is safe to hand to a socket.
 */
export class MessageWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private pos = 0;
  private readonly groups: number[] = [];

  begin(header: Omit<MessageHeader, 'version' | 'length'>): this {
    this.pos = 0;
    this.groups.length = 0;
    this.ensure(HEADER_LENGTH);
    const b = this.buf;
    b[0] = 1;
    b[4] = header.flags;
    putUint24(b, 5, header.commandCode);
    putUint32(b, 8, header.applicationId);
    putUint32(b, 12, header.hopByHop);
    putUint32(b, 16, header.endToEnd);
    this.pos = HEADER_LENGTH;
    return this;
  }

  finish(): Buffer {
    if (this.groups.length !== 0) throw new Error('a grouped AVP was begun and not ended');
    putUint24(this.buf, 1, this.pos);
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  unsigned32(spec: AvpHeaderSpec, value: number): this {
    this.avpHeader(spec, 4);
    putUint32(this.buf, this.pos, value);
    this.pos += 4;
    return this;
  }

  integer32(spec: AvpHeaderSpec, value: number): this {
    this.avpHeader(spec, 4);
    putUint32(this.buf, this.pos, value);
    this.pos += 4;
    return this;
  }

  unsigned64(spec: AvpHeaderSpec, value: bigint | number): this {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      // Counts and money fit 2^53: written as two words, without a BigInt per value.
      this.avpHeader(spec, 8);
      putUint32(this.buf, this.pos, Math.floor(value / 0x1_0000_0000));
      putUint32(this.buf, this.pos + 4, value);
      this.pos += 8;
      return this;
    }
    this.avpHeader(spec, 8);
    this.buf.writeBigUInt64BE(BigInt(value), this.pos);
    this.pos += 8;
    return this;
  }

  integer64(spec: AvpHeaderSpec, value: bigint | number): this {
    this.avpHeader(spec, 8);
    this.buf.writeBigInt64BE(BigInt(value), this.pos);
    this.pos += 8;
    return this;
  }

  float32(spec: AvpHeaderSpec, value: number): this {
    this.avpHeader(spec, 4);
    this.buf.writeFloatBE(value, this.pos);
    this.pos += 4;
    return this;
  }

  float64(spec: AvpHeaderSpec, value: number): this {
    this.avpHeader(spec, 8);
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
    return this;
  }

  time(spec: AvpHeaderSpec, value: Date): this {
    return this.unsigned32(spec, timeToNtpSeconds(value));
  }

  /** UTF8String, DiameterIdentity, DiameterURI, IPFilterRule. */
  text(spec: AvpHeaderSpec, value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    this.avpHeader(spec, length);
    this.buf.write(value, this.pos, length, 'utf8');
    this.pos += length;
    this.pad();
    return this;
  }

  octets(spec: AvpHeaderSpec, value: Uint8Array): this {
    this.avpHeader(spec, value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    this.pad();
    return this;
  }

  address(spec: AvpHeaderSpec, ip: string): this {
    return this.octets(spec, encodeAddress(ip));
  }

  beginGroup(spec: AvpHeaderSpec): this {
    this.groups.push(this.pos);
    this.avpHeader(spec, 0);
    return this;
  }

  endGroup(): this {
    const start = this.groups.pop();
    if (start === undefined) throw new Error('endGroup without beginGroup');
    putUint24(this.buf, start + 5, this.pos - start);
    return this;
  }

  /** Writes an AVP exactly as it was received (for Failed-AVP and unknown AVPs we relay). */
  raw(avp: Avp): this {
    if (avp instanceof WireAvp) return this.received(avp);
    const vendor = avp.vendorId !== 0 || (avp.flags & AvpFlags.Vendor) !== 0;
    const headerLength = vendor ? 12 : 8;
    this.ensure(headerLength + avp.data.length + 3);
    const b = this.buf;
    putUint32(b, this.pos, avp.code);
    b[this.pos + 4] = vendor ? avp.flags | AvpFlags.Vendor : avp.flags & ~AvpFlags.Vendor;
    putUint24(b, this.pos + 5, headerLength + avp.data.length);
    if (vendor) putUint32(b, this.pos + 8, avp.vendorId);
    this.pos += headerLength;
    b.set(avp.data, this.pos);
    this.pos += avp.data.length;
    this.pad();
    return this;
  }

  /** Bytes written as they are, e.g. AVPs encoded once for every answer. */
  bytes(encoded: Uint8Array): this {
    this.ensure(encoded.length);
    this.buf.set(encoded, this.pos);
    this.pos += encoded.length;
    return this;
  }

  /**
   * An AVP off the wire, header included, copied from the bytes it came in: its header as
   * received is the one `raw` would write (the V bit and Vendor-Id go together on the wire).
   */
  private received(avp: WireAvp): this {
    const from = avp.headerStart;
    const length = avp.end - from;
    this.ensure(length + 3);
    const b = this.buf;
    const src = avp.source;
    let p = this.pos;
    // Most AVPs are a few dozen bytes: a loop copies them faster than a native call.
    if (length <= 64) for (let i = from; i < avp.end; i++) b[p++] = src[i]!;
    else {
      src.copy(b, p, from, avp.end);
      p += length;
    }
    this.pos = p;
    this.pad();
    return this;
  }

  private avpHeader(spec: AvpHeaderSpec, dataLength: number): void {
    const vendor = spec.vendorId !== 0;
    const headerLength = vendor ? 12 : 8;
    this.ensure(headerLength + dataLength + 3);
    const b = this.buf;
    const p = this.pos;
    putUint32(b, p, spec.code);
    b[p + 4] = (vendor ? AvpFlags.Vendor : 0) | (spec.mandatory ? AvpFlags.Mandatory : 0);
    putUint24(b, p + 5, headerLength + dataLength);
    if (vendor) putUint32(b, p + 8, spec.vendorId);
    this.pos = p + headerLength;
  }

  private pad(): void {
    while (this.pos & 3) this.buf[this.pos++] = 0;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** Big-endian stores of the low 32 and 24 bits, without the range checks of Buffer's writers. */
function putUint32(b: Buffer, at: number, value: number): void {
  b[at] = value >>> 24;
  b[at + 1] = value >>> 16;
  b[at + 2] = value >>> 8;
  b[at + 3] = value;
}

function putUint24(b: Buffer, at: number, value: number): void {
  b[at] = value >>> 16;
  b[at + 1] = value >>> 8;
  b[at + 2] = value;
}
