import { describe, expect, it } from 'vitest';
import type { LocalIdentity } from '../../../src/diameter/answers.js';
import {
  AvpValueError,
  readInteger32,
  readText,
  readUnsigned32,
  readUnsigned64AsNumber,
} from '../../../src/diameter/avp-value.js';
import { resolveAvps } from '../../../src/diameter/avps.js';
import { encodeCreditControlAnswer } from '../../../src/diameter/cca-encode.js';
import { decodeCreditControlRequest } from '../../../src/diameter/ccr-decode.js';
import { decodeAvps, decodeMessage, groupMembers } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { MessageWriter } from '../../../src/diameter/encode.js';
import { AvpFlags, type Avp, type DiameterMessage } from '../../../src/diameter/message.js';
import { validateAvps } from '../../../src/diameter/validate.js';
import type { CreditControlAnswer } from '../../../src/credit-control/types.js';
import { loadVectors, vector } from '../../support/vectors.js';

const dict = defaultDictionary();
const avps = resolveAvps(dict);

/** One AVP's bytes as a peer would send them, with the V bit and Vendor-Id when given. */
function avpBytes(code: number, data: Buffer, flags: number = AvpFlags.Mandatory, vendorId = 0): Buffer {
  const vendor = (flags & AvpFlags.Vendor) !== 0;
  const header = Buffer.alloc(vendor ? 12 : 8);
  header.writeUInt32BE(code, 0);
  header[4] = flags;
  header.writeUIntBE(header.length + data.length, 5, 3);
  if (vendor) header.writeUInt32BE(vendorId, 8);
  const padding = Buffer.alloc((4 - (data.length % 4)) % 4);
  return Buffer.concat([header, data, padding]);
}

/** The AVP as it is read off the wire, inside a buffer with other bytes before it. */
function received(bytes: Buffer): Avp {
  const buf = Buffer.concat([Buffer.from([9, 9, 9, 9]), bytes]);
  return decodeAvps(buf, 4, buf.length)[0]!;
}

/** The same AVP as a plain object holding its own data, as tools and tests build them. */
function plain(avp: Avp): Avp {
  return { code: avp.code, vendorId: avp.vendorId, flags: avp.flags, data: Buffer.from(avp.data) };
}

/** A plain copy of a message's AVPs, Grouped ones included, with no tie to the received buffer. */
function plainMessage(message: DiameterMessage): DiameterMessage {
  return { ...message, avps: message.avps.map(plain) };
}

function written(write: (w: MessageWriter) => void): string {
  const w = new MessageWriter().begin({
    flags: 0,
    commandCode: 1,
    applicationId: 0,
    hopByHop: 0,
    endToEnd: 0,
  });
  write(w);
  return w.finish().subarray(20).toString('hex');
}

describe('AVP values read off the wire', () => {
  it('accepts UTF-8 text holding U+FFFD as sent, and refuses bytes that are not UTF-8 with 5004', () => {
    const withReplacement = received(avpBytes(1, Buffer.from('a\uFFFDb', 'utf8')));
    expect(readText(withReplacement)).toBe('a\uFFFDb');
    for (const hex of ['c328', 'eda080', 'c080', 'ff', 'e282']) {
      const userName = received(avpBytes(avps.userName.code, Buffer.from(`61${hex}62`, 'hex')));
      expect(() => readText(userName), hex).toThrow(AvpValueError);
      const failure = validateAvps(dict, [userName], undefined);
      expect(failure?.resultCode, hex).toBe(5004);
      expect(failure?.failedAvp, hex).toBe(userName);
    }
  });

  it('reads the same text the second time, and the same as from an AVP holding its own bytes', () => {
    const avp = received(avpBytes(avps.userName.code, Buffer.from('jürgen@example.net', 'utf8')));
    expect(readText(avp)).toBe('jürgen@example.net');
    expect(readText(avp)).toBe('jürgen@example.net');
    expect(readText(plain(avp))).toBe('jürgen@example.net');
  });

  it('reads Unsigned64 as a number up to 2^53 - 1 and refuses 2^53 with the value in the reason', () => {
    const u64 = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(v);
      return received(avpBytes(avps.ccTotalOctets.code, b));
    };
    expect(readUnsigned64AsNumber(u64(0n))).toBe(0);
    expect(readUnsigned64AsNumber(u64(0x1_0000_0001n))).toBe(0x1_0000_0001);
    expect(readUnsigned64AsNumber(u64(2n ** 53n - 1n))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => readUnsigned64AsNumber(u64(2n ** 53n))).toThrow(`value ${2n ** 53n} is beyond 2^53`);
    expect(() => readUnsigned64AsNumber(u64(2n ** 64n - 1n))).toThrow(AvpValueError);
  });

  it('reads 32-bit values with their sign, and refuses a wrong length as 5014', () => {
    const word = received(avpBytes(avps.ccRequestNumber.code, Buffer.from('fffffffe', 'hex')));
    expect(readUnsigned32(word)).toBe(0xfffffffe);
    expect(readInteger32(word)).toBe(-2);
    const short = received(avpBytes(avps.ccRequestNumber.code, Buffer.from('0102', 'hex')));
    expect(() => readUnsigned32(short)).toThrow('Unsigned32 needs 4 bytes, got 2');
    expect(validateAvps(dict, [short], undefined)?.resultCode).toBe(5014);
  });
});

describe('AVPs written', () => {
  it('writes Unsigned64 from a number as from a BigInt', () => {
    for (const v of [0, 1, 0xffffffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER]) {
      expect(written((w) => w.unsigned64(avps.ccTotalOctets, v))).toBe(
        written((w) => w.unsigned64(avps.ccTotalOctets, BigInt(v))),
      );
    }
    expect(() => written((w) => w.unsigned64(avps.ccTotalOctets, -1))).toThrow(RangeError);
  });

  it('writes 32-bit values in two’s complement', () => {
    expect(written((w) => w.integer32(avps.exponent, -2))).toBe('000001ad4000000cfffffffe');
    expect(written((w) => w.unsigned32(avps.ccTime, 0xffffffff))).toBe('000001a44000000cffffffff');
  });

  it('copies a received AVP exactly as one holding its own bytes is written, short or long', () => {
    const cases = [
      avpBytes(avps.sessionId.code, Buffer.from('host;1;2;x')),
      avpBytes(avps.sessionId.code, Buffer.from('a'.repeat(150))),
      avpBytes(
        avps.chargingId.code,
        Buffer.from('0a0b0c', 'hex'),
        AvpFlags.Vendor | AvpFlags.Mandatory,
        10415,
      ),
      avpBytes(65000, Buffer.from('zz'), AvpFlags.Vendor, 0),
      avpBytes(65001, Buffer.alloc(0), 0),
    ];
    for (const bytes of cases) {
      const avp = received(bytes);
      expect(written((w) => w.raw(avp))).toBe(bytes.toString('hex'));
      expect(written((w) => w.raw(plain(avp)))).toBe(bytes.toString('hex'));
    }
  });
});

describe('the credit-control request and answer', () => {
  const identity = (): LocalIdentity => ({
    originHost: 'ocs.example.net',
    originRealm: 'example.net',
    originStateId: 1,
    productName: 'gy-ocs',
    vendorId: 0,
    firmwareRevision: 100,
  });
  const answer: CreditControlAnswer = {
    resultCode: 2001,
    services: [
      { ratingGroup: 10, resultCode: 2001, granted: { totalOctets: 2 ** 40 + 7 }, validityTime: 60 },
    ],
  };

  it('decodes every CCR vector to the same request as from AVPs holding their own bytes', () => {
    for (const v of loadVectors().filter((x) => x.name.startsWith('CCR:'))) {
      const message = decodeMessage(v.bytes);
      expect(decodeCreditControlRequest(avps, message), v.name).toEqual(
        decodeCreditControlRequest(avps, plainMessage(message)),
      );
    }
  });

  it('answers every CCR vector with the same bytes as from AVPs holding their own bytes', () => {
    const me = identity();
    for (const v of loadVectors().filter((x) => x.name.startsWith('CCR:'))) {
      const message = decodeMessage(v.bytes);
      const fast = encodeCreditControlAnswer(new MessageWriter(), avps, me, message, answer);
      const generic = encodeCreditControlAnswer(new MessageWriter(), avps, me, plainMessage(message), answer);
      expect(fast.toString('hex'), v.name).toBe(generic.toString('hex'));
      expect(fast.readUIntBE(1, 3), v.name).toBe(fast.length);
    }
  });

  it('answers with the Origin-Host and Origin-Realm of the identity as it is now', () => {
    const me = identity();
    const message = decodeMessage(vector('CCR:32251-U-rsu-svcinfo-usu'));
    const origin = (answerBytes: Buffer) =>
      decodeAvps(answerBytes, 20, answerBytes.length)
        .filter((a) => a.code === avps.originHost.code || a.code === avps.originRealm.code)
        .map((a) => readText(a));
    const w = new MessageWriter();
    expect(origin(encodeCreditControlAnswer(w, avps, me, message, answer))).toEqual([
      'ocs.example.net',
      'example.net',
    ]);
    me.originHost = 'ocs2.example.net';
    expect(origin(encodeCreditControlAnswer(w, avps, me, message, answer))).toEqual([
      'ocs2.example.net',
      'example.net',
    ]);
    me.originRealm = 'example.org';
    expect(origin(encodeCreditControlAnswer(w, avps, me, message, answer))).toEqual([
      'ocs2.example.net',
      'example.org',
    ]);
  });

  it('reads Grouped AVPs of a received message once, whoever asks', () => {
    const message = decodeMessage(vector('CCR:32251-U-rsu-svcinfo-usu'));
    const mscc = message.avps.find((a) => a.code === avps.multipleServicesCreditControl.code)!;
    expect(groupMembers(mscc)).toBe(groupMembers(mscc));
  });
});
