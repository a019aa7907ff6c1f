import { AvpFlags, HEADER_LENGTH, type Avp, type MessageHeader } from './message.js';
import { encodeAddress, timeToNtpSeconds } from './avp-value.js';

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
    b.writeUIntBE(header.commandCode, 5, 3);
    b.writeUInt32BE(header.applicationId >>> 0, 8);
    b.writeUInt32BE(header.hopByHop >>> 0, 12);
    b.writeUInt32BE(header.endToEnd >>> 0, 16);
    this.pos = HEADER_LENGTH;
    return this;
  }

  finish(): Buffer {
    if (this.groups.length !== 0) throw new Error('a grouped AVP was begun and not ended');
    this.buf.writeUIntBE(this.pos, 1, 3);
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  unsigned32(spec: AvpHeaderSpec, value: number): this {
    this.avpHeader(spec, 4);
    this.buf.writeUInt32BE(value >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  integer32(spec: AvpHeaderSpec, value: number): this {
    this.avpHeader(spec, 4);
    this.buf.writeInt32BE(value | 0, this.pos);
    this.pos += 4;
    return this;
  }

  unsigned64(spec: AvpHeaderSpec, value: bigint | number): this {
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
    this.buf.writeUIntBE(this.pos - start, start + 5, 3);
    return this;
  }

  /** Writes an AVP exactly as it was received (for Failed-AVP and unknown AVPs we relay). */
  raw(avp: Avp): this {
    const vendor = avp.vendorId !== 0 || (avp.flags & AvpFlags.Vendor) !== 0;
    const headerLength = vendor ? 12 : 8;
    this.ensure(headerLength + avp.data.length + 3);
    const b = this.buf;
    b.writeUInt32BE(avp.code >>> 0, this.pos);
    b[this.pos + 4] = vendor ? avp.flags | AvpFlags.Vendor : avp.flags & ~AvpFlags.Vendor;
    b.writeUIntBE(headerLength + avp.data.length, this.pos + 5, 3);
    if (vendor) b.writeUInt32BE(avp.vendorId >>> 0, this.pos + 8);
    this.pos += headerLength;
    b.set(avp.data, this.pos);
    this.pos += avp.data.length;
    this.pad();
    return this;
  }

  private avpHeader(spec: AvpHeaderSpec, dataLength: number): void {
    const vendor = spec.vendorId !== 0;
    const headerLength = vendor ? 12 : 8;
    this.ensure(headerLength + dataLength + 3);
    const b = this.buf;
    const p = this.pos;
    b.writeUInt32BE(spec.code >>> 0, p);
    b[p + 4] = (vendor ? AvpFlags.Vendor : 0) | (spec.mandatory ? AvpFlags.Mandatory : 0);
    b.writeUIntBE(headerLength + dataLength, p + 5, 3);
    if (vendor) b.writeUInt32BE(spec.vendorId >>> 0, p + 8);
    this.pos = p + headerLength;
  }

  private pad(): void {
    const padding = (4 - (this.pos & 3)) & 3;
    if (padding) {
      this.buf.fill(0, this.pos, this.pos + padding);
      this.pos += padding;
    }
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
