import { describe, expect, it } from 'vitest';
import { DecodeError, decodeAvps, decodeMessage } from '../../../src/diameter/decode.js';
import { FrameReader } from '../../../src/diameter/frame-reader.js';
import { vector } from '../../support/vectors.js';

const ccr = vector('CCR:32251-I-rsu-svcinfo');
const dwr = vector('DWR:');

function drain(reader: FrameReader): (Buffer | DecodeError)[] {
  const out: (Buffer | DecodeError)[] = [];
  for (let next = reader.next(); next !== undefined; next = reader.next())
    out.push(Buffer.isBuffer(next) ? next : next.error);
  return out;
}

describe('FrameReader', () => {
  it('frames several messages delivered in one read', () => {
    const reader = new FrameReader(65536);
    reader.push(Buffer.concat([ccr, dwr, ccr]));
    const frames = drain(reader);
    expect(frames.map((f) => (f as Buffer).length)).toEqual([ccr.length, dwr.length, ccr.length]);
    expect(reader.buffered).toBe(0);
  });

  it('frames one message delivered a byte at a time', () => {
    const reader = new FrameReader(65536);
    const frames: (Buffer | DecodeError)[] = [];
    for (const byte of ccr) {
      reader.push(Buffer.from([byte]));
      frames.push(...drain(reader));
    }
    expect(frames).toHaveLength(1);
    expect((frames[0] as Buffer).equals(ccr)).toBe(true);
  });

  it('keeps a partial second message until the rest arrives', () => {
    const reader = new FrameReader(65536);
    const both = Buffer.concat([dwr, ccr]);
    reader.push(both.subarray(0, dwr.length + 10));
    expect(drain(reader)).toHaveLength(1);
    expect(reader.buffered).toBe(10);
    reader.push(both.subarray(dwr.length + 10));
    const rest = drain(reader);
    expect((rest[0] as Buffer).equals(ccr)).toBe(true);
  });

  it.each([
    ['a length that is not a multiple of 4', 0x22, 5015],
    ['a length shorter than the header', 8, 5015],
    ['a length over the limit', 70000, 5015],
  ])('rejects %s as unframeable', (_why, length, code) => {
    const bad = Buffer.from(dwr);
    bad.writeUIntBE(length, 1, 3);
    const reader = new FrameReader(65536);
    reader.push(bad);
    const [first] = drain(reader);
    expect(first).toBeInstanceOf(DecodeError);
    expect((first as DecodeError).resultCode).toBe(code);
    expect((first as DecodeError).fatal).toBe(true);
    reader.push(ccr);
    expect(drain(reader)).toHaveLength(0);
  });

  it('rejects a version other than 1', () => {
    const bad = Buffer.from(dwr);
    bad[0] = 2;
    const reader = new FrameReader(65536);
    reader.push(bad);
    expect((drain(reader)[0] as DecodeError).resultCode).toBe(5011);
  });
});

describe('AVP framing', () => {
  it('treats an AVP length of 0 as an error, not a loop', () => {
    const bad = Buffer.from(ccr);
    bad.writeUIntBE(0, 20 + 5, 3);
    expect(() => decodeMessage(bad)).toThrow(DecodeError);
    try {
      decodeMessage(bad);
    } catch (err) {
      expect((err as DecodeError).resultCode).toBe(5014);
      expect((err as DecodeError).fatal).toBe(false);
      expect((err as DecodeError).failedAvp?.code).toBe(263);
    }
  });

  it('treats an AVP running past its message as an error', () => {
    const bad = Buffer.from(ccr);
    bad.writeUIntBE(0xffff, 20 + 5, 3);
    expect(() => decodeMessage(bad)).toThrow(/past the end/);
  });

  it('rejects a vendor-specific AVP shorter than its 12-byte header', () => {
    const avp = Buffer.from([0, 0, 3, 0x6b, 0xc0, 0, 0, 10, 0, 0, 0x28, 0xaf]);
    expect(() => decodeAvps(avp, 0, avp.length)).toThrow(/under its header size 12/);
  });

  it('accepts a final AVP that is not padded', () => {
    const avp = Buffer.from([0, 0, 1, 0x07, 0x40, 0, 0, 9, 0x61]);
    const [decoded] = decodeAvps(avp, 0, avp.length);
    expect(decoded?.data.toString()).toBe('a');
  });
});
