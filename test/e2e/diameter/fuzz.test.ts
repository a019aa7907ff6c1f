/**
 * Robustness of the running server against hostile bytes: 10,000 frames, mutations of the
 * captured vectors and random byte strings, sent over loopback after a capabilities exchange.
 * What must hold (RFC 6733 §7: every request is answered, a stream that cannot be framed is
 * answered and closed): no exception, no unanswered request, no leaked state, flat memory, and a
 * valid CCR on a fresh connection still gets its 2001.
 *
 * Seeded, so every run sends the same bytes; a failure prints the seed and the failing batch.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, type AvpEntry } from '../../../src/diameter/avp-tree.js';
import { readUnsigned32 } from '../../../src/diameter/avp-value.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { CommandFlags, findAvp, type DiameterMessage } from '../../../src/diameter/message.js';
import { TestPeer } from '../../support/diameter-peer.js';
import { startDiameterServer, type DiameterServerFixture } from '../../support/diameter-server-fixture.js';
import { loadVectors } from '../../support/vectors.js';

const SEED = 0x4779_4f43; // "GyOC"
const FRAMES_PER_BATCH = 25;
const BATCHES = 400;
const FRAMES = FRAMES_PER_BATCH * BATCHES;
/** The server's default maxMessageBytes (server.ts). */
const MAX_MESSAGE_BYTES = 65_536;
const ANSWER_WAIT_MS = 1000;

const dict = defaultDictionary();
const vectors = loadVectors().map((v) => v.bytes);

// ---------------------------------------------------------------------------------------------
// Frames

/** Offsets of every AVP header in a message, walking into Grouped AVPs the dictionary knows. */
function avpOffsets(buf: Buffer, start: number, end: number, out: number[] = [], depth = 0): number[] {
  for (let at = start; at + 8 <= end;) {
    const code = buf.readUInt32BE(at);
    const flags = buf[at + 4]!;
    const length = buf.readUIntBE(at + 5, 3);
    const headerLength = flags & 0x80 ? 12 : 8;
    if (length < headerLength || at + length > end) break;
    out.push(at);
    const vendorId = flags & 0x80 ? buf.readUInt32BE(at + 8) : 0;
    if (depth < 4 && dict.avp(code, vendorId)?.type === 'Grouped') {
      avpOffsets(buf, at + headerLength, at + length, out, depth + 1);
    }
    at += (length + 3) & ~3;
  }
  return out;
}

const avpOffsetsByVector = vectors.map((v) => avpOffsets(v, 20, v.length));

type Mutation =
  | { kind: 'flip'; changes: { at: number; xor: number }[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; tail: Uint8Array; fixLength: boolean }
  | { kind: 'header-length'; length: number | { delta: number } }
  | { kind: 'avp-length'; avp: number; length: number | { delta: number } }
  | { kind: 'header-flags'; flags: number }
  | { kind: 'avp-flags'; avp: number; flags: number }
  | { kind: 'avp-code'; avp: number; code: number }
  | { kind: 'command'; commandCode: number; applicationId: number };

const lengthValue = fc.oneof(
  fc.constantFrom(0, 1, 4, 7, 8, 11, 12, 19, 20, 0x7fff, 0xffff, 0xfffffc, 0xffffff),
  fc.integer({ min: 0, max: 0xffffff }),
  fc.integer({ min: -12, max: 12 }).map((delta) => ({ delta })),
);

const avpIndex = fc.nat();

/**
 * Weighted so that most frames keep a header that can be framed and reach the AVP decoder, the
 * validator and the CCR decoder; the rest break framing and exercise answer-then-close.
 */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      // Flips past the 20-byte header keep the message framed.
      changes: fc.array(
        fc.record({ at: fc.integer({ min: 20, max: 1 << 16 }), xor: fc.integer({ min: 1, max: 255 }) }),
        {
          minLength: 1,
          maxLength: 8,
        },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      changes: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
        minLength: 1,
        maxLength: 8,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('extend' as const),
      tail: fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc
          .integer({ min: 1, max: 16 })
          .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
      ),
      fixLength: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('header-length' as const), length: lengthValue }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('avp-length' as const), avp: avpIndex, length: lengthValue }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('header-flags' as const),
      flags: fc.integer({ min: 0, max: 255 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('avp-flags' as const),
      avp: avpIndex,
      flags: fc.integer({ min: 0, max: 255 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('avp-code' as const),
      avp: avpIndex,
      code: fc.oneof(fc.constantFrom(0, 263, 279, 416, 456, 873, 65000), fc.nat()),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      commandCode: fc.constantFrom(257, 258, 272, 274, 275, 280, 282, 999, 0xffffff),
      applicationId: fc.constantFrom(0, 3, 4, 16777238, 0xffffffff),
    }),
  },
);

function resolveLength(length: number | { delta: number }, current: number): number {
  const value = typeof length === 'number' ? length : current + length.delta;
  return Math.min(Math.max(value, 0), 0xffffff);
}

function applyMutation(source: Buffer, offsets: readonly number[], m: Mutation): Buffer {
  const b = Buffer.from(source);
  switch (m.kind) {
    case 'flip':
      for (const { at, xor } of m.changes) if (b.length > 0) b[at % b.length]! ^= xor;
      return b;
    case 'truncate':
      return b.subarray(0, m.at % (b.length + 1));
    case 'extend': {
      const out = Buffer.concat([b, m.tail]);
      if (m.fixLength && out.length >= 4) out.writeUIntBE(Math.min(out.length, 0xffffff), 1, 3);
      return out;
    }
    case 'header-length':
      if (b.length >= 4) b.writeUIntBE(resolveLength(m.length, b.readUIntBE(1, 3)), 1, 3);
      return b;
    case 'avp-length': {
      const at = offsets[m.avp % Math.max(offsets.length, 1)];
      if (at !== undefined && at + 8 <= b.length) {
        b.writeUIntBE(resolveLength(m.length, b.readUIntBE(at + 5, 3)), at + 5, 3);
      }
      return b;
    }
    case 'header-flags':
      if (b.length > 4) b[4] = m.flags;
      return b;
    case 'avp-flags': {
      const at = offsets[m.avp % Math.max(offsets.length, 1)];
      if (at !== undefined && at + 8 <= b.length) b[at + 4] = m.flags;
      return b;
    }
    case 'avp-code': {
      const at = offsets[m.avp % Math.max(offsets.length, 1)];
      if (at !== undefined && at + 8 <= b.length) b.writeUInt32BE(m.code >>> 0, at);
      return b;
    }
    case 'command':
      if (b.length >= 12) {
        b.writeUIntBE(m.commandCode, 5, 3);
        b.writeUInt32BE(m.applicationId >>> 0, 8);
      }
      return b;
  }
}

/** One to three mutations of one captured vector. */
const mutatedVector: fc.Arbitrary<Buffer> = fc
  .record({
    vector: fc.nat({ max: vectors.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  })
  .map(({ vector, mutations }) =>
    mutations.reduce((b, m) => applyMutation(b, avpOffsetsByVector[vector]!, m), vectors[vector]!),
  );

/** A well-framed header (version 1, length right) over random AVP bytes. */
const randomBody: fc.Arbitrary<Buffer> = fc
  .record({
    flags: fc.integer({ min: 0, max: 255 }),
    commandCode: fc.constantFrom(257, 272, 280, 282, 999),
    applicationId: fc.constantFrom(0, 4, 16777238),
    ids: fc.tuple(fc.nat(), fc.nat()),
    avps: fc.array(
      fc.record({
        code: fc.oneof(fc.constantFrom(258, 263, 264, 268, 415, 416, 443, 456, 873, 874), fc.nat()),
        flags: fc.integer({ min: 0, max: 255 }),
        data: fc.uint8Array({ maxLength: 40 }),
        vendorId: fc.constantFrom(0, 10415, 193),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ flags, commandCode, applicationId, ids, avps }) => {
    const body = Buffer.concat(
      avps.map((a) => {
        const vendor = (a.flags & 0x80) !== 0;
        const header = Buffer.alloc(vendor ? 12 : 8);
        header.writeUInt32BE(a.code >>> 0, 0);
        header[4] = a.flags;
        header.writeUIntBE(header.length + a.data.length, 5, 3);
        if (vendor) header.writeUInt32BE(a.vendorId, 8);
        const padding = Buffer.alloc((4 - (a.data.length % 4)) % 4);
        return Buffer.concat([header, a.data, padding]);
      }),
    );
    const header = Buffer.alloc(20);
    header[0] = 1;
    header.writeUIntBE(20 + body.length, 1, 3);
    header[4] = flags;
    header.writeUIntBE(commandCode, 5, 3);
    header.writeUInt32BE(applicationId >>> 0, 8);
    header.writeUInt32BE(ids[0] >>> 0, 12);
    header.writeUInt32BE(ids[1] >>> 0, 16);
    return Buffer.concat([header, body]);
  });

const randomBytes: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));

const frame: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 8, arbitrary: mutatedVector },
  { weight: 3, arbitrary: randomBody },
  { weight: 1, arbitrary: randomBytes },
);

// ---------------------------------------------------------------------------------------------
// What the server must do with the byte stream, modelled independently of src/diameter/decode.ts

/** RFC 6733 §3 framing of one direction of a connection, as a peer must read it. */
class StreamModel {
  private pending: Buffer = Buffer.alloc(0);
  /** The stream hit a header that cannot be framed: the server must answer it (if a request) and close. */
  broken: { request: boolean; hopByHop: number; endToEnd: number; resultCode: number } | undefined;
  /** Requests framed so far: each must get exactly one answer. */
  requests = 0;
  /** Framed DPRs: the only framed request after which the server may close. */
  disconnects = 0;

  push(bytes: Buffer): void {
    if (this.broken) return;
    this.pending = Buffer.concat([this.pending, bytes]);
    while (this.pending.length >= 20) {
      const p = this.pending;
      const version = p[0]!;
      const length = p.readUIntBE(1, 3);
      const flags = p[4]!;
      if (version !== 1 || length < 20 || length % 4 !== 0 || length > MAX_MESSAGE_BYTES) {
        this.broken = {
          request: (flags & CommandFlags.Request) !== 0,
          hopByHop: p.readUInt32BE(12),
          endToEnd: p.readUInt32BE(16),
          resultCode: version !== 1 ? 5011 : 5015,
        };
        this.pending = Buffer.alloc(0);
        return;
      }
      if (p.length < length) return;
      if (flags & CommandFlags.Request) {
        this.requests++;
        if (p.readUIntBE(5, 3) === 282 && p.readUInt32BE(8) === 0) this.disconnects++;
      }
      this.pending = p.subarray(length);
    }
  }

  /** Bytes still needed to reach a message boundary (0 at one, or once broken). */
  get missing(): number {
    if (this.broken || this.pending.length === 0) return 0;
    if (this.pending.length < 20) return 20 - this.pending.length;
    return this.pending.readUIntBE(1, 3) - this.pending.length;
  }
}

/** A raw client connection: counts the answers it gets; never decodes what it sends. */
class FuzzConnection {
  readonly model = new StreamModel();
  private received: Buffer = Buffer.alloc(0);
  readonly answers: DiameterMessage[] = [];
  closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<FuzzConnection> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new FuzzConnection(socket);
    socket.write(
      request(257, [
        ['Origin-Host', 'fuzz.test.example'],
        ['Origin-Realm', 'test.example'],
        ['Host-IP-Address', '127.0.0.1'],
        ['Vendor-Id', 0],
        ['Product-Name', 'fuzz'],
        ['Auth-Application-Id', 4],
      ]),
    );
    const cea = await c.waitFor((m) => m.commandCode === 257, ANSWER_WAIT_MS);
    if (!cea || resultCode(cea) !== 2001) throw new Error('capabilities exchange failed');
    c.answers.length = 0;
    return c;
  }

  write(bytes: Buffer): void {
    if (bytes.length > 0 && !this.closed) this.socket.write(bytes);
    this.model.push(bytes);
  }

  /** Completes a partly sent message with zero bytes, so the stream is at a boundary (or broken). */
  completeFrame(): void {
    while (this.model.missing > 0) this.write(Buffer.alloc(this.model.missing));
  }

  async waitFor(
    match: (m: DiameterMessage) => boolean,
    timeoutMs: number,
  ): Promise<DiameterMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.answers.find(match);
      if (found || this.closed || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  whenClosed(timeoutMs: number): Promise<boolean> {
    return Promise.race([
      this.closedPromise.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closedPromise;
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    while (this.received.length >= 20) {
      const length = this.received.readUIntBE(1, 3);
      if (this.received.length < length) return;
      const message = decodeMessage(Buffer.from(this.received.subarray(0, length)));
      this.received = this.received.subarray(length);
      if (message.flags & CommandFlags.Request) continue;
      this.answers.push(message);
      const rc = resultCode(message) ?? 0;
      resultCodes.set(rc, (resultCodes.get(rc) ?? 0) + 1);
    }
  }
}

/** How often each Result-Code came back, over the whole run. */
const resultCodes = new Map<number, number>();
let nextId = 0x5a000000;
function request(
  commandCode: number,
  avps: AvpEntry[],
  ids = { hopByHop: ++nextId, endToEnd: nextId },
): Buffer {
  return encodeMessage(dict, { commandCode, applicationId: 0, request: true, ...ids, avps });
}

function resultCode(m: DiameterMessage): number | undefined {
  const rc = findAvp(m.avps, 268);
  return rc ? readUnsigned32(rc) : undefined;
}

// ---------------------------------------------------------------------------------------------

/** A forced full GC, so heap figures compare live objects rather than garbage not yet collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('fuzzing the running server', () => {
  let f: DiameterServerFixture;
  const errorLogs: string[] = [];
  beforeAll(async () => {
    // Anything logged at error level is an exception the server caught (e.g. a handler that threw).
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        errorLogs.push(chunk.toString());
        done();
      },
    });
    f = await startDiameterServer({ watchdogMs: 600_000, logger: pino({ level: 'error' }, sink) });
  });
  afterAll(() => f.stop());

  it(`survives ${FRAMES} mutated and random frames and still serves a fresh peer`, async () => {
    let sent = 0;
    let connections = 0;
    let brokenStreams = 0;
    let disconnected = 0;

    /** Checks what a connection's stream obliges the server to have done; closes the connection. */
    async function settle(c: FuzzConnection): Promise<void> {
      c.completeFrame();
      // After a framed DPR the server may have stopped reading: what follows it is not owed an answer.
      const mayHaveLeft = c.model.disconnects > 0;
      if (c.model.broken) {
        brokenStreams++;
        const broken = c.model.broken;
        if (broken.request && !mayHaveLeft) {
          // RFC 6733 §7.1.5: answered (5011 / 5015, E bit clear) before the connection closes.
          const answer = await c.waitFor(
            (m) =>
              m.hopByHop === broken.hopByHop &&
              m.endToEnd === broken.endToEnd &&
              resultCode(m) === broken.resultCode,
            ANSWER_WAIT_MS,
          );
          expect(answer, 'an unframeable request is answered').toBeDefined();
          expect(answer!.flags & CommandFlags.Error).toBe(0);
        }
        expect(await c.whenClosed(2000), 'an unframeable stream is closed').toBe(true);
        return;
      }
      const dwr = request(280, [
        ['Origin-Host', 'fuzz.test.example'],
        ['Origin-Realm', 'test.example'],
      ]);
      const ids = { hopByHop: dwr.readUInt32BE(12), endToEnd: dwr.readUInt32BE(16) };
      c.write(dwr);
      const dwa = await c.waitFor(
        (m) => m.commandCode === 280 && m.hopByHop === ids.hopByHop && m.endToEnd === ids.endToEnd,
        ANSWER_WAIT_MS,
      );
      if (!dwa) {
        // Only a DPR may end a connection whose stream can still be framed (RFC 6733 §5.4).
        expect(await c.whenClosed(ANSWER_WAIT_MS), 'no DWA: the connection must have been closed').toBe(true);
        expect(mayHaveLeft, 'a connection closed without a DPR in its stream').toBe(true);
        disconnected++;
        return;
      }
      expect(resultCode(dwa)).toBe(2001);
      // Every framed request is answered exactly once (CCAs may follow the DWA: charging is async).
      const expected = c.model.requests;
      await c.waitFor(() => c.answers.length >= expected, ANSWER_WAIT_MS);
      expect(c.answers.length, 'one answer per framed request').toBe(expected);
      await c.destroy();
    }

    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;

    await fc.assert(
      fc.asyncProperty(
        fc.array(frame, { minLength: FRAMES_PER_BATCH, maxLength: FRAMES_PER_BATCH }),
        async (batch) => {
          let c = await FuzzConnection.open(f.port);
          connections++;
          for (const bytes of batch) {
            if (c.closed || c.model.broken) {
              await settle(c);
              c = await FuzzConnection.open(f.port);
              connections++;
            }
            c.write(bytes);
            sent++;
          }
          await settle(c);
          await c.destroy();
        },
      ),
      { seed: SEED, numRuns: BATCHES, endOnFailure: true },
    );

    expect(sent).toBe(FRAMES);
    // Both kinds of outcome were exercised: streams that broke and batches answered in full.
    expect(brokenStreams).toBeGreaterThan(100);
    expect(connections - brokenStreams - disconnected).toBeGreaterThan(100);
    expect(errorLogs).toEqual([]);
    // The frames reached every layer: framing, header bits, routing, AVP decoding and validation.
    for (const code of [3001, 3007, 3008, 5001, 5004, 5005, 5011, 5014, 5015]) {
      expect(resultCodes.get(code) ?? 0, `answers with Result-Code ${code}`).toBeGreaterThan(20);
    }

    // No state left behind: every connection closed, no admission slot leaked.
    await waitUntil(() => f.server.openPeers === 0, 2000);
    expect(f.server.openPeers).toBe(0);
    expect(f.server.admission.inFlight).toBe(0);

    collectGarbage();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    expect(growth, `heap grew by ${(growth / 1e6).toFixed(1)} MB`).toBeLessThan(16e6);

    // The same server still serves a fresh, well-behaved peer.
    const p = new TestPeer(f.port);
    try {
      const cea = await p.open();
      expect(cea.get('Result-Code')).toBe(2001);
      const cca = await p.request(272, 4, [
        ['Session-Id', 'pcef.test.example;fuzz;1'],
        ['Origin-Host', p.originHost],
        ['Origin-Realm', p.originRealm],
        ['Destination-Realm', 'test.example'],
        ['Auth-Application-Id', 4],
        ['Service-Context-Id', '32251@3gpp.org'],
        ['CC-Request-Type', 1],
        ['CC-Request-Number', 0],
        [
          'Multiple-Services-Credit-Control',
          [
            ['Requested-Service-Unit', [['CC-Time', 60]]],
            ['Rating-Group', 1],
          ],
        ],
      ]);
      expect(cca.get('Result-Code')).toBe(2001);
      expect(cca.get('Session-Id')).toBe('pcef.test.example;fuzz;1');
    } finally {
      await p.close();
    }
  }, 45_000);
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
