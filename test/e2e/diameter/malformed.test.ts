/**
 * Answers to malformed requests that must themselves be well formed and complete: what is
 * echoed, when the connection closes, and signed money values.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTree, encodeMessage, type AvpEntry } from '../../../src/diameter/avp-tree.js';
import { resolveAvps } from '../../../src/diameter/avps.js';
import { encodeCreditControlAnswer } from '../../../src/diameter/cca-encode.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { MessageWriter } from '../../../src/diameter/encode.js';
import { CommandFlags, findAvp, type DiameterMessage } from '../../../src/diameter/message.js';
import {
  TEST_IDENTITY,
  startDiameterServer,
  type DiameterServerFixture,
} from '../../support/diameter-server-fixture.js';

const dict = defaultDictionary();

const CER: AvpEntry[] = [
  ['Origin-Host', 'pcef.test.example'],
  ['Origin-Realm', 'test.example'],
  ['Host-IP-Address', '127.0.0.1'],
  ['Vendor-Id', 0],
  ['Product-Name', 'test-peer'],
  ['Auth-Application-Id', 4],
];

function ccr(extra: AvpEntry[] = [], omit: string[] = []): AvpEntry[] {
  const base: [string, string | number][] = [
    ['Session-Id', 'pcef.test.example;1;malformed'],
    ['Origin-Host', 'pcef.test.example'],
    ['Origin-Realm', 'test.example'],
    ['Destination-Realm', 'test.example'],
    ['Auth-Application-Id', 4],
    ['Service-Context-Id', '32251@3gpp.org'],
    ['CC-Request-Type', 1],
    ['CC-Request-Number', 0],
  ];
  return [...base.filter(([n]) => !omit.includes(n)), ...extra];
}

function request(commandCode: number, applicationId: number, avps: AvpEntry[], hopByHop: number): Buffer {
  return encodeMessage(dict, {
    commandCode,
    applicationId,
    request: true,
    proxiable: applicationId !== 0,
    hopByHop,
    endToEnd: hopByHop,
    avps,
  });
}

/** A bare connection that frames what it receives and decodes no AVP values. */
class Raw {
  private pending: Buffer = Buffer.alloc(0);
  readonly messages: DiameterMessage[] = [];
  closed = false;
  private constructor(private readonly socket: Socket) {
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 20 && this.pending.length >= this.pending.readUIntBE(1, 3)) {
        const length = this.pending.readUIntBE(1, 3);
        this.messages.push(decodeMessage(Buffer.from(this.pending.subarray(0, length))));
        this.pending = this.pending.subarray(length);
      }
    });
  }

  static async connect(port: number, exchangeCapabilities: boolean): Promise<Raw> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const raw = new Raw(socket);
    if (exchangeCapabilities) {
      raw.write(request(257, 0, CER, 1));
      await raw.answer(1);
    }
    return raw;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async answer(hopByHop: number, timeoutMs = 1000): Promise<DiameterMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => !(m.flags & CommandFlags.Request) && m.hopByHop === hopByHop);
      if (found || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const resultCode = (m: DiameterMessage | undefined) => m && findAvp(m.avps, 268)?.data.readUInt32BE(0);

describe('answers to malformed requests', () => {
  let f: DiameterServerFixture;
  const raws: Raw[] = [];
  beforeAll(async () => (f = await startDiameterServer({ watchdogMs: 60_000 })));
  afterAll(async () => {
    for (const r of raws) r.destroy();
    await f.stop();
  });
  const open = async (cer = true) => {
    const r = await Raw.connect(f.port, cer);
    raws.push(r);
    return r;
  };

  it('a 5014 answer reports a 3-byte CC-Request-Number in Failed-AVP only, never copied into the answer', async () => {
    const r = await open();
    const short = { code: 415, vendorId: 0, flags: 0x40, data: Buffer.from([0, 0, 1]) };
    r.write(request(272, 4, ccr([short], ['CC-Request-Number']), 11));
    const answer = await r.answer(11);
    expect(resultCode(answer)).toBe(5014);
    // Outside Failed-AVP, an answer we send must be well formed.
    const topLevel = answer!.avps.filter((a) => a.code !== 279);
    expect(() => decodeTree(dict, topLevel)).not.toThrow();
  });

  it('a CCR whose CC-Request-Type length is 3 gets 5014 still carrying the Session-Id and Auth-Application-Id before it', async () => {
    const r = await open();
    const bytes = request(272, 4, ccr(), 12);
    for (let at = 20; at < bytes.length;) {
      const length = bytes.readUIntBE(at + 5, 3);
      if (bytes.readUInt32BE(at) === 416) bytes.writeUIntBE(3, at + 5, 3);
      at += (length + 3) & ~3;
    }
    r.write(bytes);
    const answer = await r.answer(12);
    expect(resultCode(answer)).toBe(5014);
    const codes = answer!.avps.map((a) => a.code);
    // Session-Id (263) and Auth-Application-Id (258) precede the bad AVP intact (RFC 6733 §6.2).
    expect(codes).toEqual(expect.arrayContaining([263, 258]));
    expect(codes[0]).toBe(263);
  });

  it('a malformed request before the CER gets 3010 and the connection closes', async () => {
    const r = await open(false);
    const bytes = request(272, 4, ccr(), 13);
    bytes.writeUIntBE(0xffff, 20 + 5, 3);
    r.write(bytes);
    const answer = await r.answer(13);
    // RFC 6733 §5.6: before the capabilities exchange, nothing but a CER is served.
    expect(resultCode(answer)).toBe(3010);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.closed).toBe(true);
  });

  it('a CCR followed in the same read by an unframeable header is still answered before the close', async () => {
    const r = await open();
    const good = request(272, 4, ccr(), 14);
    const bad = request(280, 0, [['Origin-Host', 'pcef.test.example']], 15);
    bad.writeUIntBE(bad.length + 2, 1, 3); // 5015, fatal
    const before = f.service.requests.length;
    r.write(Buffer.concat([good, bad]));
    expect(resultCode(await r.answer(15))).toBe(5015);
    expect(f.service.requests.length).toBe(before + 1); // the charging service ran
    expect(resultCode(await r.answer(14))).toBe(2001);
  });

  it('encodes a negative Value-Digits (Integer64, RFC 4006 §8.10)', () => {
    const req = decodeMessage(request(272, 4, ccr(), 16));
    const encode = () =>
      encodeCreditControlAnswer(new MessageWriter(), resolveAvps(dict), TEST_IDENTITY, req, {
        resultCode: 2001,
        services: [],
        costInformation: { valueDigits: -150, exponent: -2, currencyCode: 978 },
      });
    expect(encode).not.toThrow();
  });

  it('reads a negative Value-Digits of CC-Money as negative', async () => {
    const r = await open();
    const money: AvpEntry = [
      'Multiple-Services-Credit-Control',
      [
        [
          'Requested-Service-Unit',
          [
            [
              'CC-Money',
              [
                [
                  'Unit-Value',
                  [
                    ['Value-Digits', -1n],
                    ['Exponent', 0],
                  ],
                ],
                ['Currency-Code', 978],
              ],
            ],
          ],
        ],
        ['Rating-Group', 1],
      ],
    ];
    r.write(request(272, 4, ccr([money]), 17));
    const answer = await r.answer(17);
    const seen = f.service.requests.at(-1);
    // Either the value reaches charging as -1, or the request is refused with 5004.
    if (resultCode(answer) === 2001) {
      expect(seen?.services[0]?.requested?.money?.valueDigits).toBe(-1n);
    } else {
      expect(resultCode(answer)).toBe(5004);
    }
  });
});
