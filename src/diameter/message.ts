/** RFC 6733 §3: header flag bits. */
export const CommandFlags = {
  Request: 0x80,
  Proxiable: 0x40,
  Error: 0x20,
  Retransmitted: 0x10,
  /** Bits 4-7 are reserved and MUST be zero (RFC 6733 §3). */
  Reserved: 0x0f,
} as const;

/** RFC 6733 §4.1: AVP flag bits. */
export const AvpFlags = {
  Vendor: 0x80,
  Mandatory: 0x40,
  /** The P bit of RFC 3588, reserved in RFC 6733 but still sent by older peers. */
  Protected: 0x20,
  Reserved: 0x1f,
} as const;

export const HEADER_LENGTH = 20;

/**
 * One AVP as found on the wire. `data` is a view into the received buffer (no copy), holding
 * exactly the AVP's data without padding. Values are read with the functions of avp-value.ts.
 */
export interface Avp {
  readonly code: number;
  readonly vendorId: number;
  readonly flags: number;
  readonly data: Buffer;
}

export interface MessageHeader {
  version: number;
  length: number;
  flags: number;
  commandCode: number;
  applicationId: number;
  hopByHop: number;
  endToEnd: number;
}

export interface DiameterMessage extends MessageHeader {
  readonly avps: readonly Avp[];
  /** The whole message as received. */
  readonly raw: Buffer;
}

export function isRequest(m: MessageHeader): boolean {
  return (m.flags & CommandFlags.Request) !== 0;
}

export function isMandatory(avp: Avp): boolean {
  return (avp.flags & AvpFlags.Mandatory) !== 0;
}

/** First AVP with this code and vendor, or undefined. */
export function findAvp(avps: readonly Avp[], code: number, vendorId = 0): Avp | undefined {
  for (let i = 0; i < avps.length; i++) {
    const a = avps[i]!;
    if (a.code === code && a.vendorId === vendorId) return a;
  }
  return undefined;
}

/** Every AVP with this code and vendor, in message order. */
export function findAllAvps(avps: readonly Avp[], code: number, vendorId = 0): Avp[] {
  const out: Avp[] = [];
  for (let i = 0; i < avps.length; i++) {
    const a = avps[i]!;
    if (a.code === code && a.vendorId === vendorId) out.push(a);
  }
  return out;
}
