import { isUtf8 } from 'node:buffer';
import { isIPv4, isIPv6 } from 'node:net';
import { WireAvp, uint32At } from './decode.js';
import type { Avp } from './message.js';
import type { AvpType } from './dictionary-format.js';

/** Seconds between the NTP epoch (1900-01-01) and the Unix epoch, RFC 6733 §4.3.1. */
const NTP_UNIX_OFFSET = 2_208_988_800;
/** RFC 2030 §3: a timestamp with the top bit clear belongs to the era that starts in 2036. */
const NTP_ERA = 0x1_0000_0000;

/** Address families of IANA "Address Family Numbers" used by the Address type (RFC 6733 §4.3.1). */
export const AddressFamily = { IPv4: 1, IPv6: 2, E164: 8 } as const;

export class AvpValueError extends Error {
  override name = 'AvpValueError';
  constructor(
    readonly avp: Avp,
    message: string,
    /** The data has the wrong size for its type: RFC 6733 answers 5014 rather than 5004. */
    readonly wrongLength = false,
  ) {
    super(message);
  }
}

/** The size of an AVP's data, read without making a view of it. */
function dataLength(avp: Avp): number {
  return avp instanceof WireAvp ? avp.end - avp.start : avp.data.length;
}

/** The 32 bits of a 4-byte value (its length checked by the caller), straight from the buffer. */
function word(avp: Avp): number {
  return avp instanceof WireAvp ? uint32At(avp.source, avp.start) : uint32At(avp.data, 0);
}

function needLength(avp: Avp, type: string, bytes: number): void {
  const length = dataLength(avp);
  if (length !== bytes) throw new AvpValueError(avp, `${type} needs ${bytes} bytes, got ${length}`, true);
}

export function readUnsigned32(avp: Avp): number {
  needLength(avp, 'Unsigned32', 4);
  return word(avp);
}

export function readInteger32(avp: Avp): number {
  needLength(avp, 'Integer32', 4);
  return word(avp) | 0;
}

export function readUnsigned64(avp: Avp): bigint {
  needLength(avp, 'Unsigned64', 8);
  return avp.data.readBigUInt64BE(0);
}

export function readInteger64(avp: Avp): bigint {
  needLength(avp, 'Integer64', 8);
  return avp.data.readBigInt64BE(0);
}

/** Above this, the high word of an Unsigned64 puts the value past Number.MAX_SAFE_INTEGER. */
const SAFE_HIGH_WORD = 0x1f_ffff;

/** An Unsigned64 that must fit a JavaScript number exactly (octet counts, money). */
export function readUnsigned64AsNumber(avp: Avp): number {
  needLength(avp, 'Unsigned64', 8);
  const buf = avp instanceof WireAvp ? avp.source : avp.data;
  const at = avp instanceof WireAvp ? avp.start : 0;
  const high = uint32At(buf, at);
  if (high > SAFE_HIGH_WORD) {
    throw new AvpValueError(avp, `value ${buf.readBigUInt64BE(at)} is beyond 2^53`);
  }
  return high * 0x1_0000_0000 + uint32At(buf, at + 4);
}

export function readFloat32(avp: Avp): number {
  needLength(avp, 'Float32', 4);
  return avp.data.readFloatBE(0);
}

export function readFloat64(avp: Avp): number {
  needLength(avp, 'Float64', 8);
  return avp.data.readDoubleBE(0);
}

/**
 * UTF8String, DiameterIdentity, DiameterURI, IPFilterRule: text that must be valid UTF-8.
 * Decoding replaces every invalid sequence with U+FFFD, so text without that character was
 * valid; only text holding it is checked byte by byte (U+FFFD may also be sent on purpose).
 * The text of an AVP off the wire is decoded once, for the validator and the readers after it.
 */
export function readText(avp: Avp): string {
  if (avp instanceof WireAvp) {
    if (avp.text !== undefined) return avp.text;
    const text = avp.source.toString('utf8', avp.start, avp.end);
    if (text.includes('\uFFFD') && !isUtf8(avp.data)) throw new AvpValueError(avp, 'not valid UTF-8');
    return (avp.text = text);
  }
  if (!isUtf8(avp.data)) throw new AvpValueError(avp, 'not valid UTF-8');
  return avp.data.toString('utf8');
}

/** Time: seconds since 1900-01-01 UTC in 32 bits (RFC 6733 §4.3.1), returned as a Date. */
export function readTime(avp: Avp): Date {
  needLength(avp, 'Time', 4);
  let seconds = word(avp);
  if (seconds < 0x8000_0000) seconds += NTP_ERA;
  return new Date((seconds - NTP_UNIX_OFFSET) * 1000);
}

/** Address: 2-byte family then the address (RFC 6733 §4.3.1); IPv4/IPv6 as text, E.164 as digits. */
export function readAddress(avp: Avp): string {
  const d = avp.data;
  if (d.length < 2) throw new AvpValueError(avp, 'Address needs a 2-byte family', true);
  const family = d.readUInt16BE(0);
  if (family === AddressFamily.IPv4) {
    if (d.length !== 6) throw new AvpValueError(avp, 'IPv4 Address needs 4 bytes', true);
    return `${d[2]}.${d[3]}.${d[4]}.${d[5]}`;
  }
  if (family === AddressFamily.IPv6) {
    if (d.length !== 18) throw new AvpValueError(avp, 'IPv6 Address needs 16 bytes', true);
    const groups: string[] = [];
    for (let i = 2; i < 18; i += 2) groups.push(d.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  if (family === AddressFamily.E164) return d.toString('latin1', 2);
  throw new AvpValueError(avp, `unsupported address family ${family}`);
}

/** Encodes an IPv4 or IPv6 address as the data of an Address AVP. */
export function encodeAddress(address: string): Buffer {
  if (isIPv4(address)) {
    const b = Buffer.allocUnsafe(6);
    b.writeUInt16BE(AddressFamily.IPv4, 0);
    address.split('.').forEach((part, i) => (b[2 + i] = Number(part)));
    return b;
  }
  if (isIPv6(address)) {
    const b = Buffer.alloc(18);
    b.writeUInt16BE(AddressFamily.IPv6, 0);
    const [head = '', tail] = address.split('::');
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const groups =
      tail === undefined
        ? headGroups
        : [
            ...headGroups,
            ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
            ...tailGroups,
          ];
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), 2 + i * 2));
    return b;
  }
  throw new TypeError(`not an IP address: ${address}`);
}

/** Converts a Date to the 32-bit NTP seconds of the Time type. */
export function timeToNtpSeconds(date: Date): number {
  return (Math.floor(date.getTime() / 1000) + NTP_UNIX_OFFSET) % NTP_ERA;
}

/**
 * Checks that an AVP's data is well formed for its type; throws AvpValueError when not.
 * Grouped AVPs are checked by the validator, which walks into them.
 */
export function checkValue(avp: Avp, type: AvpType): void {
  switch (type) {
    case 'Integer32':
    case 'Unsigned32':
    case 'Enumerated':
    case 'Float32':
    case 'Time':
      needLength(avp, type, 4);
      return;
    case 'Integer64':
    case 'Unsigned64':
    case 'Float64':
      needLength(avp, type, 8);
      return;
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
      readText(avp);
      return;
    case 'Address':
      readAddress(avp);
      return;
    case 'OctetString':
    case 'Grouped':
      return;
  }
}
