import { isUtf8 } from 'node:buffer';
import { isIPv4, isIPv6 } from 'node:net';
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

export function readUnsigned32(avp: Avp): number {
  if (avp.data.length !== 4)
    throw new AvpValueError(avp, `Unsigned32 needs 4 bytes, got ${avp.data.length}`, true);
  return avp.data.readUInt32BE(0);
}

export function readInteger32(avp: Avp): number {
  if (avp.data.length !== 4)
    throw new AvpValueError(avp, `Integer32 needs 4 bytes, got ${avp.data.length}`, true);
  return avp.data.readInt32BE(0);
}

export function readUnsigned64(avp: Avp): bigint {
  if (avp.data.length !== 8)
    throw new AvpValueError(avp, `Unsigned64 needs 8 bytes, got ${avp.data.length}`, true);
  return avp.data.readBigUInt64BE(0);
}

export function readInteger64(avp: Avp): bigint {
  if (avp.data.length !== 8)
    throw new AvpValueError(avp, `Integer64 needs 8 bytes, got ${avp.data.length}`, true);
  return avp.data.readBigInt64BE(0);
}

/** An Unsigned64 that must fit a JavaScript number exactly (octet counts, money). */
export function readUnsigned64AsNumber(avp: Avp): number {
  const v = readUnsigned64(avp);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new AvpValueError(avp, `value ${v} is beyond 2^53`);
  return Number(v);
}

export function readFloat32(avp: Avp): number {
  if (avp.data.length !== 4)
    throw new AvpValueError(avp, `Float32 needs 4 bytes, got ${avp.data.length}`, true);
  return avp.data.readFloatBE(0);
}

export function readFloat64(avp: Avp): number {
  if (avp.data.length !== 8)
    throw new AvpValueError(avp, `Float64 needs 8 bytes, got ${avp.data.length}`, true);
  return avp.data.readDoubleBE(0);
}

/** UTF8String, DiameterIdentity, DiameterURI, IPFilterRule: text that must be valid UTF-8. */
export function readText(avp: Avp): string {
  if (!isUtf8(avp.data)) throw new AvpValueError(avp, 'not valid UTF-8');
  return avp.data.toString('utf8');
}

/** Time: seconds since 1900-01-01 UTC in 32 bits (RFC 6733 §4.3.1), returned as a Date. */
export function readTime(avp: Avp): Date {
  if (avp.data.length !== 4) throw new AvpValueError(avp, `Time needs 4 bytes, got ${avp.data.length}`, true);
  let seconds = avp.data.readUInt32BE(0);
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
      if (avp.data.length !== 4)
        throw new AvpValueError(avp, `${type} needs 4 bytes, got ${avp.data.length}`, true);
      return;
    case 'Integer64':
    case 'Unsigned64':
    case 'Float64':
      if (avp.data.length !== 8)
        throw new AvpValueError(avp, `${type} needs 8 bytes, got ${avp.data.length}`, true);
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
