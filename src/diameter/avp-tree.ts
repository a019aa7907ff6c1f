import {
  AvpValueError,
  readAddress,
  readFloat32,
  readFloat64,
  readInteger32,
  readInteger64,
  readText,
  readTime,
  readUnsigned32,
  readUnsigned64,
} from './avp-value.js';
import { groupMembers } from './decode.js';
import type { AvpDefinition, Dictionary } from './dictionary.js';
import { MessageWriter } from './encode.js';
import { AvpFlags, CommandFlags, type Avp } from './message.js';

/**
 * A readable, dictionary-driven view of messages: building them from names and values, and
 * turning received AVPs back into names and values. Used by peers, tools and tests; the
 * hot charging path reads and writes AVPs directly instead.
 */
export type AvpValue = number | bigint | string | Buffer | Date | AvpEntry[];
/**
 * `[name, value]`, optionally with the M bit forced (to reproduce a peer's flags exactly), or
 * an AVP given as raw bytes (e.g. one no dictionary knows).
 */
export type AvpEntry = readonly [name: string, value: AvpValue, mandatory?: boolean] | Avp;

export interface MessageSpec {
  commandCode: number;
  applicationId: number;
  request: boolean;
  proxiable?: boolean;
  error?: boolean;
  retransmitted?: boolean;
  hopByHop: number;
  endToEnd: number;
  avps: readonly AvpEntry[];
}

export function encodeMessage(dict: Dictionary, spec: MessageSpec, writer = new MessageWriter()): Buffer {
  const flags =
    (spec.request ? CommandFlags.Request : 0) |
    (spec.proxiable ? CommandFlags.Proxiable : 0) |
    (spec.error ? CommandFlags.Error : 0) |
    (spec.retransmitted ? CommandFlags.Retransmitted : 0);
  writer.begin({
    flags,
    commandCode: spec.commandCode,
    applicationId: spec.applicationId,
    hopByHop: spec.hopByHop,
    endToEnd: spec.endToEnd,
  });
  writeAvps(dict, writer, spec.avps);
  return writer.finish();
}

export function writeAvps(dict: Dictionary, w: MessageWriter, entries: readonly AvpEntry[]): void {
  for (const entry of entries) {
    if (!Array.isArray(entry)) {
      w.raw(entry as Avp);
      continue;
    }
    const [name, value, mandatory] = entry as readonly [string, AvpValue, boolean?];
    const def = dict.avpByName(name);
    writeAvp(
      dict,
      w,
      mandatory === undefined || mandatory === def.mandatory ? def : { ...def, mandatory },
      value,
    );
  }
}

function writeAvp(dict: Dictionary, w: MessageWriter, def: AvpDefinition, value: AvpValue): void {
  const wrong = (): never => {
    throw new TypeError(`${def.name} (${def.type}) cannot take ${describe(value)}`);
  };
  switch (def.type) {
    case 'Grouped':
      if (!Array.isArray(value)) return wrong();
      w.beginGroup(def);
      writeAvps(dict, w, value);
      w.endGroup();
      return;
    case 'Enumerated': {
      const n = typeof value === 'string' ? def.valuesByName.get(value) : value;
      if (typeof n !== 'number') return wrong();
      w.integer32(def, n);
      return;
    }
    case 'Unsigned32':
      if (typeof value !== 'number') return wrong();
      w.unsigned32(def, value);
      return;
    case 'Integer32':
      if (typeof value !== 'number') return wrong();
      w.integer32(def, value);
      return;
    case 'Unsigned64':
      if (typeof value !== 'number' && typeof value !== 'bigint') return wrong();
      w.unsigned64(def, value);
      return;
    case 'Integer64':
      if (typeof value !== 'number' && typeof value !== 'bigint') return wrong();
      w.integer64(def, value);
      return;
    case 'Float32':
      if (typeof value !== 'number') return wrong();
      w.float32(def, value);
      return;
    case 'Float64':
      if (typeof value !== 'number') return wrong();
      w.float64(def, value);
      return;
    case 'Time':
      if (!(value instanceof Date)) return wrong();
      w.time(def, value);
      return;
    case 'Address':
      if (Buffer.isBuffer(value)) w.octets(def, value);
      else if (typeof value === 'string') w.address(def, value);
      else wrong();
      return;
    case 'OctetString':
      if (Buffer.isBuffer(value)) w.octets(def, value);
      else if (typeof value === 'string') w.text(def, value);
      else wrong();
      return;
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
      if (typeof value !== 'string') return wrong();
      w.text(def, value);
      return;
  }
}

function describe(value: AvpValue): string {
  if (Buffer.isBuffer(value)) return 'bytes';
  if (Array.isArray(value)) return 'a list of AVPs';
  if (value instanceof Date) return 'a date';
  return `${typeof value} ${String(value)}`;
}

export interface DecodedAvp {
  name: string | undefined;
  code: number;
  vendorId: number;
  mandatory: boolean;
  /** The typed value; for Enumerated the number (see `enumName`); unknown AVPs give their bytes. */
  value: number | bigint | string | Buffer | Date | DecodedAvp[];
  enumName?: string;
}

/** Names and values of received AVPs, walking into Grouped ones. Throws on malformed values. */
export function decodeTree(dict: Dictionary, avps: readonly Avp[]): DecodedAvp[] {
  return avps.map((avp) => {
    const def = dict.avp(avp.code, avp.vendorId);
    const base = {
      name: def?.name,
      code: avp.code,
      vendorId: avp.vendorId,
      mandatory: (avp.flags & AvpFlags.Mandatory) !== 0,
    };
    if (!def) return { ...base, value: avp.data };
    if (def.type === 'Enumerated') {
      const n = readInteger32(avp);
      const enumName = def.namesByValue.get(n);
      return enumName === undefined ? { ...base, value: n } : { ...base, value: n, enumName };
    }
    return { ...base, value: readTyped(dict, def, avp) };
  });
}

function readTyped(dict: Dictionary, def: AvpDefinition, avp: Avp): DecodedAvp['value'] {
  switch (def.type) {
    case 'Grouped':
      return decodeTree(dict, groupMembers(avp));
    case 'Unsigned32':
      return readUnsigned32(avp);
    case 'Integer32':
    case 'Enumerated':
      return readInteger32(avp);
    case 'Unsigned64':
      return readUnsigned64(avp);
    case 'Integer64':
      return readInteger64(avp);
    case 'Float32':
      return readFloat32(avp);
    case 'Float64':
      return readFloat64(avp);
    case 'Time':
      return readTime(avp);
    case 'Address':
      return readAddress(avp);
    case 'OctetString':
      return avp.data;
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
      return readText(avp);
  }
  throw new AvpValueError(avp, `unknown type ${String(def.type)}`);
}

/** Turns decoded AVPs back into entries for encodeMessage (a decode/encode round trip). */
export function treeToEntries(tree: readonly DecodedAvp[]): AvpEntry[] {
  return tree.map((a): AvpEntry => {
    if (a.name === undefined) {
      return {
        code: a.code,
        vendorId: a.vendorId,
        flags: (a.mandatory ? AvpFlags.Mandatory : 0) | (a.vendorId ? AvpFlags.Vendor : 0),
        data: a.value as Buffer,
      };
    }
    return [a.name, Array.isArray(a.value) ? treeToEntries(a.value) : a.value, a.mandatory];
  });
}
