import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AvpType } from '../../src/diameter/dictionary-format.js';
import { loadDictionary, type AvpDefinition } from '../../src/diameter/dictionary.js';

// Facts about the data in dictionaries/ that a peer would notice if they were wrong. The loader's
// own behaviour (duplicates, unknown names) is tested with the loader.

const dict = loadDictionary();
const VENDOR_3GPP = 10415;

interface VectorFile {
  messages: { name: string; hex: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/gy-otp-vectors.json', import.meta.url), 'utf8'),
) as VectorFile;

/** The AVP code the 5001 vectors use as a deliberately unknown mandatory AVP. */
const UNKNOWN_TEST_AVP = 65000;

const FLAG_VENDOR = 0x80;
const FLAG_MANDATORY = 0x40;

interface WireAvp {
  code: number;
  vendorId: number;
  flags: number;
  data: Buffer;
  /** Where it sits, for failure messages: "CCR:.../873/874/21". */
  path: string;
}

/** RFC 6733 §4.1: 8-byte header, 4 more for the Vendor-Id when V is set, padded to 4. */
function walkAvps(buf: Buffer, path: string, out: WireAvp[] = []): WireAvp[] {
  let offset = 0;
  while (offset < buf.length) {
    const code = buf.readUInt32BE(offset);
    const flags = buf.readUInt8(offset + 4);
    const length = buf.readUIntBE(offset + 5, 3);
    const headerLength = flags & FLAG_VENDOR ? 12 : 8;
    const vendorId = flags & FLAG_VENDOR ? buf.readUInt32BE(offset + 8) : 0;
    if (length < headerLength || offset + length > buf.length) {
      throw new Error(`${path}: AVP ${code} has a bad length ${length}`);
    }
    const avp = { code, vendorId, flags, data: buf.subarray(offset + headerLength, offset + length) };
    out.push({ ...avp, path: `${path}/${code}` });
    if (dict.avp(code, vendorId)?.type === 'Grouped') walkAvps(avp.data, `${path}/${code}`, out);
    offset += (length + 3) & ~3;
  }
  return out;
}

interface WireMessage {
  name: string;
  commandCode: number;
  applicationId: number;
  isRequest: boolean;
  /** Top-level AVPs only. */
  avps: WireAvp[];
  /** Every AVP, nested ones included. */
  all: WireAvp[];
}

function parseVector(name: string, hex: string): WireMessage {
  const buf = Buffer.from(hex, 'hex');
  if (buf.readUInt8(0) !== 1 || buf.readUIntBE(1, 3) !== buf.length) throw new Error(`${name}: bad header`);
  const all = walkAvps(buf.subarray(20), name);
  const depth = (a: WireAvp) => a.path.split('/').length;
  return {
    name,
    commandCode: buf.readUIntBE(5, 3),
    applicationId: buf.readUInt32BE(8),
    isRequest: (buf.readUInt8(4) & 0x80) !== 0,
    avps: all.filter((a) => depth(a) === 2),
    all,
  };
}

const messages = vectors.messages.map((m) => parseVector(m.name, m.hex));

const FIXED_SIZE: Partial<Record<AvpType, number>> = {
  Integer32: 4,
  Unsigned32: 4,
  Enumerated: 4,
  Float32: 4,
  Time: 4,
  Integer64: 8,
  Unsigned64: 8,
  Float64: 8,
};
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the bytes on the wire fit the dictionary's type (RFC 6733 §4.2, §4.3). */
function typeProblem(def: AvpDefinition, data: Buffer): string | undefined {
  const size = FIXED_SIZE[def.type];
  if (size !== undefined && data.length !== size) return `${def.type} with ${data.length} bytes`;
  switch (def.type) {
    case 'Enumerated': {
      const value = data.readInt32BE(0);
      return def.namesByValue.has(value) ? undefined : `unknown enumerated value ${value}`;
    }
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
      try {
        utf8.decode(data);
        return undefined;
      } catch {
        return `${def.type} that is not UTF-8`;
      }
    case 'Address': {
      const family = data.length >= 2 ? data.readUInt16BE(0) : -1;
      const ok = (family === 1 && data.length === 6) || (family === 2 && data.length === 18);
      return ok ? undefined : `Address of family ${family} with ${data.length} bytes`;
    }
    default:
      return undefined;
  }
}

describe('dictionary data', () => {
  it('gives every Grouped AVP a member grammar and every enumerated value a distinct number', () => {
    const problems: string[] = [];
    for (const def of dict.allAvps()) {
      if (def.type === 'Grouped' && !def.members) problems.push(`${def.name}: Grouped without members`);
      if (def.namesByValue.size !== def.valuesByName.size) problems.push(`${def.name}: two names, one value`);
      for (const [name, value] of def.valuesByName) {
        if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
          problems.push(`${def.name}: ${name} = ${value}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('puts the 3GPP quota AVPs under vendor 10415, not 12645', () => {
    const quota: [string, number][] = [
      ['Quota-Holding-Time', 871],
      ['Quota-Consumption-Time', 881],
      ['Time-Quota-Threshold', 868],
      ['Volume-Quota-Threshold', 869],
      ['Unit-Quota-Threshold', 1226],
      ['Reporting-Reason', 872],
      ['Trigger', 1264],
      ['Trigger-Type', 870],
    ];
    for (const [name, code] of quota) {
      const def = dict.avpByName(name);
      expect({ name, code: def.code, vendorId: def.vendorId }).toEqual({ name, code, vendorId: VENDOR_3GPP });
      expect(dict.avp(code, VENDOR_3GPP)).toBe(def);
      expect(dict.avp(code, 12645)).toBeUndefined();
    }
  });

  it('types the binary 3GPP location, time zone and RAT AVPs as OctetString', () => {
    for (const name of ['3GPP-User-Location-Info', '3GPP-MS-TimeZone', '3GPP-RAT-Type', '3GPP-Charging-Id']) {
      expect({ name, type: dict.avpByName(name).type }).toEqual({ name, type: 'OctetString' });
    }
  });

  it('sends the TS 29.061 3GPP-* AVPs with V set and M not set', () => {
    const radiusDerived = [...dict.allAvps()].filter((d) => d.vendorId === VENDOR_3GPP && d.code < 256);
    expect(radiusDerived.map((d) => d.name)).toContain('3GPP-User-Location-Info');
    for (const def of radiusDerived) {
      expect({ name: def.name, mandatory: def.mandatory }).toEqual({ name: def.name, mandatory: false });
    }
  });

  it('types the RFC 4006 unit AVPs as 64-bit', () => {
    const expected: Record<string, AvpType> = {
      'CC-Total-Octets': 'Unsigned64',
      'CC-Input-Octets': 'Unsigned64',
      'CC-Output-Octets': 'Unsigned64',
      'CC-Service-Specific-Units': 'Unsigned64',
      'Value-Digits': 'Integer64',
      Exponent: 'Integer32',
      'CC-Time': 'Unsigned32',
    };
    const actual = Object.fromEntries(Object.keys(expected).map((n) => [n, dict.avpByName(n).type]));
    expect(actual).toEqual(expected);
  });

  it('names every Reporting-Reason value and the values the server looks up', () => {
    expect(Object.fromEntries(dict.avpByName('Reporting-Reason').valuesByName)).toEqual({
      THRESHOLD: 0,
      QHT: 1,
      FINAL: 2,
      QUOTA_EXHAUSTED: 3,
      VALIDITY_TIME: 4,
      OTHER_QUOTA_TYPE: 5,
      RATING_CONDITION_CHANGE: 6,
      FORCED_REAUTHORISATION: 7,
      POOL_EXHAUSTED: 8,
      UNUSED_QUOTA_TIMER: 9,
    });
    expect(dict.enumValue('Role-Of-Node', 'ORIGINATING_ROLE')).toBe(0);
    expect(dict.enumValue('Role-Of-Node', 'TERMINATING_ROLE')).toBe(1);
    expect(dict.enumValue('Subscription-Id-Type', 'END_USER_E164')).toBe(0);
    expect(dict.enumValue('CC-Request-Type', 'EVENT_REQUEST')).toBe(4);
  });

  it('requires the RFC 4006 §3.1 AVPs in a Credit-Control-Request', () => {
    const ccr = dict.command(272, 4)!.request;
    expect(ccr.fixed.map((d) => d.name)).toEqual(['Session-Id']);
    expect(ccr.required.map((d) => d.name).sort()).toEqual(
      [
        'Origin-Host',
        'Origin-Realm',
        'Destination-Realm',
        'Auth-Application-Id',
        'Service-Context-Id',
        'CC-Request-Type',
        'CC-Request-Number',
      ].sort(),
    );
    expect(ccr.extensible).toBe(true);
    const cca = dict.command(272, 4)!.answer;
    expect(cca.required.map((d) => d.name)).toContain('Result-Code');
  });

  it('lets a credit-control Re-Auth-Request name a rating group (RFC 4006 §5.5)', () => {
    const rar = dict.command(258, 4)!;
    expect(rar.applicationId).toBe(4);
    expect(rar.request.optional.map((d) => d.name)).toEqual(
      expect.arrayContaining(['Rating-Group', 'Service-Identifier']),
    );
    expect(dict.command(274, 4)!.request.required.map((d) => d.name)).toContain('Destination-Host');
  });
});

describe('captured test vectors', () => {
  it('has vectors to check', () => {
    expect(messages.length).toBeGreaterThan(20);
    expect(dict.avp(UNKNOWN_TEST_AVP, 0)).toBeUndefined();
  });

  it.each(messages.map((m) => [m.name, m] as const))(
    '%s: every AVP is known with a fitting type',
    (_, message) => {
      const problems: string[] = [];
      for (const avp of message.all) {
        if (avp.code === UNKNOWN_TEST_AVP && avp.vendorId === 0) continue;
        const def = dict.avp(avp.code, avp.vendorId);
        if (!def) {
          problems.push(`${avp.path}: no AVP ${avp.code} of vendor ${avp.vendorId}`);
          continue;
        }
        const problem = typeProblem(def, avp.data);
        if (problem) problems.push(`${avp.path} ${def.name}: ${problem}`);
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(messages.map((m) => [m.name, m] as const))('%s: fits its command grammar', (_, message) => {
    const command = dict.command(message.commandCode, message.applicationId);
    expect(command, `command ${message.commandCode}`).toBeDefined();
    const grammar = message.isRequest ? command!.request : command!.answer;
    const names = message.avps.map((a) => dict.avp(a.code, a.vendorId)?.name);
    expect(names.slice(0, grammar.fixed.length)).toEqual(grammar.fixed.map((d) => d.name));
    for (const def of grammar.required)
      expect(names, `${message.name} lacks ${def.name}`).toContain(def.name);
  });

  it('sets the M bit as the dictionary does, except on the 3GPP-* AVPs the client marks M', () => {
    const differ = new Set<string>();
    for (const message of messages) {
      for (const avp of message.all) {
        const def = dict.avp(avp.code, avp.vendorId);
        if (def && ((avp.flags & FLAG_MANDATORY) !== 0) !== def.mandatory) differ.add(def.name);
      }
    }
    // TS 29.061 table 9a: these RADIUS-derived 3GPP AVPs MUST NOT have M set. The client that
    // produced the vectors (gyprobe, like Wireshark's and freeDiameter's dictionaries) sets it,
    // which a receiver accepts because it knows the AVPs. Nothing else may differ.
    expect([...differ].sort()).toEqual(['3GPP-Charging-Id', '3GPP-PDP-Type', '3GPP-RAT-Type']);
  });
});
