/**
 * The Diameter peer layer end to end over loopback (RFC 6733 §5, RFC 3539): capabilities
 * exchange, watchdog, disconnect, and the error answers of RFC 6733 §7, checked AVP by AVP.
 */
import { connect, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeMessage, type AvpEntry, type AvpValue } from '../../../src/diameter/avp-tree.js';
import { decodeMessage, groupMembers } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { CommandFlags, type DiameterMessage } from '../../../src/diameter/message.js';
import { TestPeer, answerView, member, type ReceivedAnswer } from '../../support/diameter-peer.js';
import {
  TEST_IDENTITY,
  startDiameterServer,
  type DiameterServerFixture,
} from '../../support/diameter-server-fixture.js';

const dict = defaultDictionary();
const CER = 257;
const CCR = 272;
const DWR = 280;
const DPR = 282;
const GX = 16777238;
const RELAY = 0xffffffff;

/** Peers a test opened; each is closed after the test so server.close() has nothing to wait for. */
const opened: TestPeer[] = [];
function peer(f: DiameterServerFixture): TestPeer {
  const p = new TestPeer(f.port);
  opened.push(p);
  return p;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

let sessions = 0;
/** A minimal valid CCR-I (RFC 4006 §3.1), with `extra` appended and the names in `omit` left out. */
function ccr(extra: AvpEntry[] = [], omit: string[] = []): AvpEntry[] {
  const base: [string, AvpValue][] = [
    ['Session-Id', `pcef.test.example;${++sessions};e2e`],
    ['Origin-Host', 'pcef.test.example'],
    ['Origin-Realm', 'test.example'],
    ['Destination-Realm', 'test.example'],
    ['Auth-Application-Id', 4],
    ['Service-Context-Id', '32251@3gpp.org'],
    ['CC-Request-Type', 1],
    ['CC-Request-Number', 0],
  ];
  return [...base.filter(([name]) => !omit.includes(name)), ...extra];
}

function bytes(
  commandCode: number,
  applicationId: number,
  avps: readonly AvpEntry[],
  ids: { hopByHop: number; endToEnd: number },
  flags: { error?: boolean; retransmitted?: boolean } = {},
): Buffer {
  return encodeMessage(dict, {
    commandCode,
    applicationId,
    request: true,
    proxiable: applicationId !== 0,
    ...flags,
    ...ids,
    avps,
  });
}

function sentValue(request: readonly AvpEntry[], name: string): AvpValue | undefined {
  for (const entry of request)
    if (Array.isArray(entry) && entry[0] === name) return (entry as [string, AvpValue])[1];
  return undefined;
}

function sessionOf(request: readonly AvpEntry[]): AvpValue | undefined {
  return sentValue(request, 'Session-Id');
}

/** The members of a Failed-AVP as [code, value] pairs. */
function failedAvps(answer: ReceivedAnswer): [number, unknown][] {
  const failed = answer.get('Failed-AVP');
  return Array.isArray(failed) ? failed.map((a) => [a.code, a.value]) : [];
}

function expectOurOrigin(answer: ReceivedAnswer): void {
  expect(answer.get('Origin-Host')).toBe(TEST_IDENTITY.originHost);
  expect(answer.get('Origin-Realm')).toBe(TEST_IDENTITY.originRealm);
}

/** A 5xxx CCA is a CCA (RFC 4006 §3.2): E bit clear, request's identifying AVPs copied. */
function expectCcaEcho(answer: ReceivedAnswer, request: readonly AvpEntry[]): void {
  const sent = (name: string) => sentValue(request, name);
  expect(answer.errorBit).toBe(false);
  expect(answer.message.commandCode).toBe(CCR);
  expect(answer.get('Session-Id')).toBe(sent('Session-Id'));
  expect(answer.get('Auth-Application-Id')).toBe(4);
  expect(answer.get('CC-Request-Type')).toBe(sent('CC-Request-Type'));
  expect(answer.get('CC-Request-Number')).toBe(sent('CC-Request-Number'));
}

describe('capabilities exchange (RFC 6733 §5.3)', () => {
  let f: DiameterServerFixture;
  beforeAll(async () => (f = await startDiameterServer()));
  afterAll(() => f.stop());

  it('answers a CER with a CEA carrying 2001 and our identity and applications', async () => {
    const p = peer(f);
    const cea = await p.open();
    expect(cea.message.commandCode).toBe(CER);
    expect(cea.message.applicationId).toBe(0);
    expect(cea.message.flags & (CommandFlags.Request | CommandFlags.Error)).toBe(0);
    expect(cea.get('Result-Code')).toBe(2001);
    expectOurOrigin(cea);
    expect(cea.all('Host-IP-Address')).toEqual(['127.0.0.1']);
    expect(cea.get('Vendor-Id')).toBe(0);
    expect(cea.get('Product-Name')).toBe('gy-ocs');
    expect(cea.get('Firmware-Revision')).toBe(1);
    expect(cea.get('Origin-State-Id')).toBe(1);
    expect(cea.all('Supported-Vendor-Id')).toEqual([10415]);
    expect(cea.all('Auth-Application-Id')).toEqual([4]);
    expect(cea.get('Error-Message')).toBeUndefined();
    expect(f.server.openPeers).toBeGreaterThanOrEqual(1);
  });

  it('keeps the CER hop-by-hop and end-to-end ids in the CEA', async () => {
    const p = peer(f);
    await p.connect();
    const cer = bytes(
      CER,
      0,
      [
        ['Origin-Host', 'pcef.test.example'],
        ['Origin-Realm', 'test.example'],
        ['Host-IP-Address', '127.0.0.1'],
        ['Vendor-Id', 0],
        ['Product-Name', 'test-peer'],
        ['Auth-Application-Id', 4],
      ],
      { hopByHop: 0x01020304, endToEnd: 0xfedcba98 },
    );
    const cea = await p.sendRaw(cer, 0x01020304);
    expect(cea.get('Result-Code')).toBe(2001);
    expect(cea.message.hopByHop).toBe(0x01020304);
    expect(cea.message.endToEnd).toBe(0xfedcba98);
  });

  it('refuses a peer with no common application (5010) and closes the connection', async () => {
    const p = peer(f);
    await p.connect();
    const cea = await p.capabilitiesExchange([['Auth-Application-Id', GX]]);
    expect(cea.get('Result-Code')).toBe(5010);
    expect(cea.errorBit).toBe(false);
    expectOurOrigin(cea);
    expect(cea.all('Auth-Application-Id')).toEqual([4]);
    expect(await p.whenClosed(3000)).toBe(true);
  });

  it('admits a peer that offers credit control inside Vendor-Specific-Application-Id', async () => {
    const p = peer(f);
    await p.connect();
    const cea = await p.capabilitiesExchange([
      [
        'Vendor-Specific-Application-Id',
        [
          ['Vendor-Id', 10415],
          ['Auth-Application-Id', 4],
        ],
      ],
    ]);
    expect(cea.get('Result-Code')).toBe(2001);
    const cca = await p.request(CCR, 4, ccr());
    expect(cca.get('Result-Code')).toBe(2001);
  });

  it('admits a peer that advertises the Relay application (0xffffffff)', async () => {
    const p = peer(f);
    await p.connect();
    const cea = await p.capabilitiesExchange([['Auth-Application-Id', RELAY]]);
    expect(cea.get('Result-Code')).toBe(2001);
    expect(cea.all('Auth-Application-Id')).toEqual([4]);
    const cca = await p.request(CCR, 4, ccr());
    expect(cca.get('Result-Code')).toBe(2001);
  });

  it('answers a CCR sent before the CER with 3010 and the E bit, then closes (RFC 6733 §5.6)', async () => {
    const p = peer(f);
    await p.connect();
    const request = ccr();
    const answer = await p.request(CCR, 4, request);
    expect(answer.get('Result-Code')).toBe(3010);
    expect(answer.errorBit).toBe(true);
    expect(answer.get('Session-Id')).toBe(sessionOf(request));
    expectOurOrigin(answer);
    expect(await p.whenClosed(3000)).toBe(true);
    expect(f.service.requests.some((r) => r.sessionId === answer.get('Session-Id'))).toBe(false);
  });

  it('answers a second CER on an open connection with 5012 and keeps the connection', async () => {
    const p = peer(f);
    await p.open();
    const again = await p.capabilitiesExchange();
    expect(again.get('Result-Code')).toBe(5012);
    expect(again.errorBit).toBe(false);
    const cca = await p.request(CCR, 4, ccr());
    expect(cca.get('Result-Code')).toBe(2001);
  });

  it('answers a CER missing Product-Name with 5005 naming it and closes', async () => {
    const p = peer(f);
    await p.connect();
    const cer = bytes(
      CER,
      0,
      [
        ['Origin-Host', 'pcef.test.example'],
        ['Origin-Realm', 'test.example'],
        ['Host-IP-Address', '127.0.0.1'],
        ['Vendor-Id', 0],
        ['Auth-Application-Id', 4],
      ],
      { hopByHop: 77, endToEnd: 78 },
    );
    const cea = await p.sendRaw(cer, 77);
    expect(cea.get('Result-Code')).toBe(5005);
    expect(failedAvps(cea).map(([code]) => code)).toEqual([269]);
    expect(await p.whenClosed(3000)).toBe(true);
  });
});

describe('allow-list of peers', () => {
  let f: DiameterServerFixture;
  beforeAll(async () => (f = await startDiameterServer({ allowedPeers: ['pgw.allowed.example'] })));
  afterAll(() => f.stop());

  it('refuses an Origin-Host that is not in the allow-list with 3010 and closes', async () => {
    const p = peer(f);
    await p.connect();
    const cea = await p.capabilitiesExchange();
    expect(cea.get('Result-Code')).toBe(3010);
    expect(cea.errorBit).toBe(true);
    expectOurOrigin(cea);
    expect(await p.whenClosed(3000)).toBe(true);
  });

  it('admits an Origin-Host that is in the allow-list', async () => {
    const p = peer(f);
    p.originHost = 'pgw.allowed.example';
    const cea = await p.open();
    expect(cea.get('Result-Code')).toBe(2001);
  });
});

describe('allow-list binding a peer to its addresses', () => {
  let f: DiameterServerFixture;
  beforeAll(
    async () =>
      (f = await startDiameterServer({
        allowedPeers: ['pgw.here.example@127.0.0.0/8', 'pgw.elsewhere.example@10.1.0.0/16'],
      })),
  );
  afterAll(() => f.stop());

  it('admits a peer from a network its identity is bound to', async () => {
    const p = peer(f);
    p.originHost = 'pgw.here.example';
    expect((await p.open()).get('Result-Code')).toBe(2001);
  });

  it('refuses with 3010 and closes a peer that claims an identity bound to other addresses', async () => {
    const p = peer(f);
    p.originHost = 'pgw.elsewhere.example';
    await p.connect();
    const cea = await p.capabilitiesExchange();
    expect(cea.get('Result-Code')).toBe(3010);
    expect(cea.get('Error-Message')).toBe('pgw.elsewhere.example may not connect from 127.0.0.1');
    expect(await p.whenClosed(3000)).toBe(true);
  });
});

describe('device watchdog (RFC 6733 §5.5, RFC 3539)', () => {
  let f: DiameterServerFixture;
  beforeAll(async () => (f = await startDiameterServer()));
  afterAll(() => f.stop());

  it('answers a DWR with a DWA 2001 that keeps both ids', async () => {
    const p = peer(f);
    await p.open();
    const dwr = bytes(
      DWR,
      0,
      [
        ['Origin-Host', 'pcef.test.example'],
        ['Origin-Realm', 'test.example'],
      ],
      { hopByHop: 0x0badcafe, endToEnd: 0x12345678 },
    );
    const dwa = await p.sendRaw(dwr, 0x0badcafe);
    expect(dwa.message.commandCode).toBe(DWR);
    expect(dwa.message.hopByHop).toBe(0x0badcafe);
    expect(dwa.message.endToEnd).toBe(0x12345678);
    expect(dwa.errorBit).toBe(false);
    expect(dwa.get('Result-Code')).toBe(2001);
    expectOurOrigin(dwa);
    expect(dwa.get('Origin-State-Id')).toBe(1);
  });

  it('answers a DWR missing Origin-Realm with 5005', async () => {
    const p = peer(f);
    await p.open();
    const dwa = await p.request(DWR, 0, [['Origin-Host', 'pcef.test.example']]);
    expect(dwa.get('Result-Code')).toBe(5005);
    expect(failedAvps(dwa).map(([code]) => code)).toEqual([296]);
  });
});

/**
 * The watchdog timer is Tw plus a jitter of ±2 s (peer.ts); Math.random is pinned to the middle
 * so a short Tw is exactly Tw and the timing below is deterministic.
 */
describe('server-side watchdog with a short Tw', () => {
  const TW = 250;
  let f: DiameterServerFixture;
  beforeAll(async () => (f = await startDiameterServer({ watchdogMs: TW })));
  afterAll(() => f.stop());

  it('sends a DWR to an idle peer and keeps the peer that answers it', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const p = peer(f);
    await p.open();
    await until(() => p.serverRequests.some((m) => m.commandCode === DWR), 3000);
    const dwr = p.serverRequests.find((m) => m.commandCode === DWR)!;
    expect(dwr.applicationId).toBe(0);
    expect(dwr.flags & CommandFlags.Request).toBe(CommandFlags.Request);
    expectOurOrigin(answerView(dict, dwr));
    // The test peer answers every DWR; the connection must outlive several watchdog periods.
    await sleep(TW * 4);
    expect(p.closed).toBe(false);
    expect(p.serverRequests.filter((m) => m.commandCode === DWR).length).toBeGreaterThanOrEqual(2);
  });

  it('closes a peer that does not answer the DWR', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const silent = await RawPeer.open(f.port);
    try {
      expect(await silent.whenClosed(TW * 8)).toBe(true);
      expect(silent.requests().map((m) => m.commandCode)).toContain(DWR);
    } finally {
      silent.destroy();
    }
  });

  it('closes a connection that never sends a CER within Tw', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const p = peer(f);
    await p.connect();
    expect(await p.whenClosed(TW * 6)).toBe(true);
  });
});

describe('disconnect (RFC 6733 §5.4)', () => {
  it('answers a DPR with a DPA 2001 keeping both ids, then closes the connection', async () => {
    const f = await startDiameterServer();
    try {
      const p = peer(f);
      await p.open();
      const dpr = bytes(
        DPR,
        0,
        [
          ['Origin-Host', 'pcef.test.example'],
          ['Origin-Realm', 'test.example'],
          ['Disconnect-Cause', 0],
        ],
        { hopByHop: 0xdeadbeef, endToEnd: 0x00c0ffee },
      );
      const dpa = await p.sendRaw(dpr, 0xdeadbeef);
      expect(dpa.message.commandCode).toBe(DPR);
      expect(dpa.message.hopByHop).toBe(0xdeadbeef);
      expect(dpa.message.endToEnd).toBe(0x00c0ffee);
      expect(dpa.errorBit).toBe(false);
      expect(dpa.get('Result-Code')).toBe(2001);
      expectOurOrigin(dpa);
      expect(await p.whenClosed(3000)).toBe(true);
    } finally {
      await f.stop();
    }
  });

  it('sends a DPR (Disconnect-Cause REBOOTING) to every open peer on close()', async () => {
    const f = await startDiameterServer();
    const a = peer(f);
    const b = peer(f);
    await a.open();
    await b.open();
    const stopping = f.stop();
    for (const p of [a, b]) {
      await until(() => p.serverRequests.some((m) => m.commandCode === DPR), 3000);
      const dpr = p.serverRequests.find((m) => m.commandCode === DPR)!;
      expectOurOrigin(answerView(dict, dpr));
      expect(answerView(dict, dpr).get('Disconnect-Cause')).toBe(0);
      p.write(
        encodeMessage(dict, {
          commandCode: DPR,
          applicationId: 0,
          request: false,
          hopByHop: dpr.hopByHop,
          endToEnd: dpr.endToEnd,
          avps: [
            ['Result-Code', 2001],
            ['Origin-Host', p.originHost],
            ['Origin-Realm', p.originRealm],
          ],
        }),
      );
    }
    await stopping;
    expect(await a.whenClosed(3000)).toBe(true);
    expect(await b.whenClosed(3000)).toBe(true);
    expect(f.server.openPeers).toBe(0);
  });
});

describe('error answers (RFC 6733 §7)', () => {
  let f: DiameterServerFixture;
  let p: TestPeer;
  beforeAll(async () => (f = await startDiameterServer()));
  afterAll(() => f.stop());
  afterEach(async () => {
    // Each error leaves a connection that still serves (a fresh one after a close).
    await expectServing(p);
  });

  async function openPeer(): Promise<TestPeer> {
    p = peer(f);
    await p.open();
    return p;
  }

  it('answers an unknown command of application 4 with 3001 and the E bit', async () => {
    await openPeer();
    const request = ccr();
    const answer = await p.sendRaw(bytes(999, 4, request, { hopByHop: 31, endToEnd: 32 }), 31);
    expect(answer.message.commandCode).toBe(999);
    expect(answer.message.applicationId).toBe(4);
    expect(answer.message.endToEnd).toBe(32);
    expect(answer.errorBit).toBe(true);
    expect(answer.get('Result-Code')).toBe(3001);
    expectOurOrigin(answer);
    // RFC 6733 §7.2 answer-message: no application AVPs copied into a protocol error.
    expect(answer.get('CC-Request-Type')).toBeUndefined();
  });

  it('answers a request of an application we do not serve (Gx) with 3007 and the E bit', async () => {
    await openPeer();
    const answer = await p.request(CCR, GX, ccr());
    expect(answer.message.applicationId).toBe(GX);
    expect(answer.errorBit).toBe(true);
    expect(answer.get('Result-Code')).toBe(3007);
    expectOurOrigin(answer);
  });

  it('answers a CCR with an unknown M-bit AVP with 5001, the AVP in Failed-AVP, E bit clear', async () => {
    await openPeer();
    const surprise = { code: 65000, vendorId: 0, flags: 0x40, data: Buffer.from('surprise') };
    const request = ccr([surprise]);
    const answer = await p.request(CCR, 4, request);
    expect(answer.get('Result-Code')).toBe(5001);
    expectCcaEcho(answer, request);
    expectOurOrigin(answer);
    const failed = answer.get('Failed-AVP');
    expect(Array.isArray(failed) && failed.length).toBe(1);
    const [inner] = failed as { code: number; vendorId: number; mandatory: boolean; value: unknown }[];
    expect(inner).toMatchObject({
      code: 65000,
      vendorId: 0,
      mandatory: true,
      value: Buffer.from('surprise'),
    });
  });

  it('ignores an unknown AVP without the M bit (RFC 6733 §4.1)', async () => {
    await openPeer();
    const optional = { code: 65001, vendorId: 0, flags: 0, data: Buffer.from('ignore me') };
    const answer = await p.request(CCR, 4, ccr([optional]));
    expect(answer.get('Result-Code')).toBe(2001);
  });

  it('answers a CCR without CC-Request-Number with 5005 naming AVP 415 in Failed-AVP', async () => {
    await openPeer();
    const request = ccr([], ['CC-Request-Number']);
    const answer = await p.request(CCR, 4, request);
    expect(answer.get('Result-Code')).toBe(5005);
    expect(answer.errorBit).toBe(false);
    expect(answer.get('Session-Id')).toBe(sessionOf(request));
    expect(answer.get('CC-Request-Type')).toBe(1);
    expect(answer.get('Auth-Application-Id')).toBe(4);
    expect(failedAvps(answer)).toEqual([[415, 0]]);
  });

  it('answers CC-Request-Type 9 with 5004 and the AVP in Failed-AVP', async () => {
    await openPeer();
    const request = ccr([['CC-Request-Type', 9]], ['CC-Request-Type']);
    const answer = await p.request(CCR, 4, request);
    expect(answer.get('Result-Code')).toBe(5004);
    expectCcaEcho(answer, request);
    expect(failedAvps(answer)).toEqual([[416, 9]]);
  });

  it('answers an Unsigned32 AVP of 3 bytes (Origin-State-Id) with 5014 and the AVP in Failed-AVP', async () => {
    await openPeer(); // for the afterEach check; the malformed request goes over its own connection
    const raw = await RawPeer.open(f.port);
    try {
      const short = { code: 278, vendorId: 0, flags: 0x40, data: Buffer.from([0, 0, 1]) };
      const request = ccr([short]);
      const answer = await raw.exchange(bytes(CCR, 4, request, { hopByHop: 41, endToEnd: 42 }), 41);
      // Failed-AVP holds the AVP as received (3 bytes), which no typed decoder reads: split it off.
      const failed = answer.avps.filter((a) => a.code === 279);
      const rest = answerView(dict, { ...answer, avps: answer.avps.filter((a) => a.code !== 279) });
      expect(rest.get('Result-Code')).toBe(5014);
      expectCcaEcho(rest, request);
      expectOurOrigin(rest);
      expect(failed).toHaveLength(1);
      const inner = groupMembers(failed[0]!);
      expect(inner.map((a) => [a.code, a.flags, a.data])).toEqual([[278, 0x40, Buffer.from([0, 0, 1])]]);
    } finally {
      raw.destroy();
    }
  });

  it('answers an AVP whose length runs past the message with 5014 and keeps the connection', async () => {
    await openPeer();
    const good = bytes(CCR, 4, ccr(), { hopByHop: 51, endToEnd: 52 });
    const bad = Buffer.from(good);
    bad.writeUIntBE(0xffff, 20 + 5, 3); // the first AVP (Session-Id) claims 65535 bytes
    const answer = await p.sendRaw(bad, 51);
    expect(answer.get('Result-Code')).toBe(5014);
    expect(answer.errorBit).toBe(false);
    expect(answer.message.endToEnd).toBe(52);
    expect(failedAvps(answer).map(([code]) => code)).toEqual([263]);
    const next = await p.request(CCR, 4, ccr());
    expect(next.get('Result-Code')).toBe(2001);
  });

  it('answers a request with the E bit set with 3008 (RFC 6733 §3)', async () => {
    await openPeer();
    const answer = await p.sendRaw(bytes(CCR, 4, ccr(), { hopByHop: 61, endToEnd: 62 }, { error: true }), 61);
    expect(answer.get('Result-Code')).toBe(3008);
    expect(answer.errorBit).toBe(true);
    expect(answer.message.endToEnd).toBe(62);
  });

  it('answers a message length that is not a multiple of 4 with 5015 (E clear), then closes', async () => {
    await openPeer();
    const bad = bytes(CCR, 4, ccr(), { hopByHop: 71, endToEnd: 72 });
    bad.writeUIntBE(bad.length + 2, 1, 3);
    const answer = await p.sendRaw(bad, 71);
    expect(answer.get('Result-Code')).toBe(5015);
    expect(answer.errorBit).toBe(false);
    expect(answer.message.endToEnd).toBe(72);
    expectOurOrigin(answer);
    expect(await p.whenClosed(3000)).toBe(true);
    p = peer(f);
    await p.open(); // a fresh connection still works; afterEach checks this one
  });

  it('answers a message length over the limit with 5015, then closes', async () => {
    await openPeer();
    const bad = bytes(CCR, 4, ccr(), { hopByHop: 73, endToEnd: 74 });
    bad.writeUIntBE(0x20000, 1, 3);
    const answer = await p.sendRaw(bad, 73);
    expect(answer.get('Result-Code')).toBe(5015);
    expect(await p.whenClosed(3000)).toBe(true);
    p = peer(f);
    await p.open();
  });

  it('answers a header with version 2 with 5011, then closes', async () => {
    await openPeer();
    const bad = bytes(CCR, 4, ccr(), { hopByHop: 75, endToEnd: 76 });
    bad[0] = 2;
    const answer = await p.sendRaw(bad, 75);
    expect(answer.get('Result-Code')).toBe(5011);
    expect(answer.errorBit).toBe(false);
    expect(await p.whenClosed(3000)).toBe(true);
    p = peer(f);
    await p.open();
  });
});

describe('admission control', () => {
  it('answers 3004 TOO_BUSY when no request may be in progress (maxInFlight 0)', async () => {
    const f = await startDiameterServer({ maxInFlight: 0 });
    try {
      const p = peer(f);
      await p.open();
      const answer = await p.request(CCR, 4, ccr());
      expect(answer.get('Result-Code')).toBe(3004);
      expect(answer.errorBit).toBe(true);
      expectOurOrigin(answer);
      expect(f.service.requests).toHaveLength(0);
      // Base messages are not admission-controlled: the watchdog must still work when busy.
      const dwa = await p.request(DWR, 0, [
        ['Origin-Host', p.originHost],
        ['Origin-Realm', p.originRealm],
      ]);
      expect(dwa.get('Result-Code')).toBe(2001);
    } finally {
      await Promise.all(opened.splice(0).map((p) => p.close()));
      await f.stop();
    }
  });

  it('with a limit of 2 in progress, refuses the third and fourth at once with 3004 and serves the two', async () => {
    const registry = new Registry();
    const f = await startDiameterServer({ maxInFlight: 2, registry });
    try {
      const [a, b] = [peer(f), peer(f)];
      await Promise.all([a.open(), b.open()]);
      f.service.hold();
      const admitted = [ccr(), ccr()];
      const answers = [a.request(CCR, 4, admitted[0]!), b.request(CCR, 4, admitted[1]!)];
      await vi.waitFor(() => expect(f.service.holding).toBe(2));
      expect(f.server.admission.inFlight).toBe(2);

      // Both connections are at the limit's mercy: it counts requests over all peers.
      const refused = [ccr(), ccr()];
      const busy = await Promise.all([a.request(CCR, 4, refused[0]!), b.request(CCR, 4, refused[1]!)]);
      for (const [i, answer] of busy.entries()) {
        expect(answer.get('Result-Code')).toBe(3004);
        // 3xxx is a protocol error: E bit set, Session-Id first (RFC 6733 §7.1.3, §6.2).
        expect(answer.errorBit).toBe(true);
        expect(answer.message.commandCode).toBe(CCR);
        expect(answer.get('Session-Id')).toBe(sessionOf(refused[i]!));
        expectOurOrigin(answer);
      }
      // The refused ones never reached the application; the admitted ones still wait.
      expect(f.service.requests).toHaveLength(2);
      expect(f.service.holding).toBe(2);

      f.service.release();
      for (const [i, answer] of (await Promise.all(answers)).entries()) {
        expect(answer.get('Result-Code')).toBe(2001);
        expect(answer.errorBit).toBe(false);
        expect(answer.get('Session-Id')).toBe(sessionOf(admitted[i]!));
      }
      expect(f.server.admission.inFlight).toBe(0);
      // Room again once they are answered.
      expect((await a.request(CCR, 4, ccr())).get('Result-Code')).toBe(2001);

      const sample = async (name: string, labels: Record<string, string>) =>
        (await registry.getSingleMetric(name)!.get()).values.find((v) =>
          Object.entries(labels).every(([k, l]) => v.labels[k] === l),
        )?.value ?? 0;
      expect(await sample('ocs_diameter_protocol_errors_total', { result_code: '3004' })).toBe(2);
      expect(
        await sample('ocs_diameter_answers_total', {
          command: 'CC',
          request_type: 'INITIAL',
          result_code: '3004',
        }),
      ).toBe(2);
      expect(
        await sample('ocs_diameter_answers_total', {
          command: 'CC',
          request_type: 'INITIAL',
          result_code: '2001',
        }),
      ).toBe(3);
    } finally {
      f.service.release();
      await Promise.all(opened.splice(0).map((p) => p.close()));
      await f.stop();
    }
  });
});

describe('credit-control requests over one connection', () => {
  let f: DiameterServerFixture;
  let p: TestPeer;
  beforeAll(async () => {
    f = await startDiameterServer();
  });
  afterAll(() => f.stop());

  async function openPeer(): Promise<TestPeer> {
    p = peer(f);
    await p.open();
    return p;
  }

  it('answers a valid CCR with 2001, both ids kept, and the grant per rating group', async () => {
    await openPeer();
    const request = ccr([
      [
        'Subscription-Id',
        [
          ['Subscription-Id-Type', 0],
          ['Subscription-Id-Data', '8613800000001'],
        ],
      ],
      ['Multiple-Services-Indicator', 1],
      [
        'Multiple-Services-Credit-Control',
        [
          ['Requested-Service-Unit', [['CC-Total-Octets', 1_000_000n]]],
          ['Rating-Group', 10],
        ],
      ],
      [
        'Multiple-Services-Credit-Control',
        [
          ['Requested-Service-Unit', [['CC-Time', 60]]],
          ['Rating-Group', 20],
        ],
      ],
    ]);
    const answer = await p.sendRaw(
      bytes(CCR, 4, request, { hopByHop: 0x7fff0001, endToEnd: 0x80000002 }),
      0x7fff0001,
    );
    expect(answer.message.hopByHop).toBe(0x7fff0001);
    expect(answer.message.endToEnd).toBe(0x80000002);
    expect(answer.message.flags & CommandFlags.Request).toBe(0);
    expect(answer.message.flags & CommandFlags.Proxiable).toBe(CommandFlags.Proxiable);
    expect(answer.get('Result-Code')).toBe(2001);
    expectCcaEcho(answer, request);
    expectOurOrigin(answer);
    const services = answer.all('Multiple-Services-Credit-Control');
    expect(services.map((s) => member(s, 'Rating-Group'))).toEqual([10, 20]);
    expect(services.map((s) => member(s, 'Result-Code'))).toEqual([2001, 2001]);
    expect(member(member(services[0], 'Granted-Service-Unit'), 'CC-Total-Octets')).toBe(1_000_000n);
    expect(member(member(services[1], 'Granted-Service-Unit'), 'CC-Time')).toBe(60);
    const seen = f.service.requests.at(-1)!;
    expect(seen.subscriptionIds).toEqual([{ type: 'e164', data: '8613800000001' }]);
    expect(seen.retransmission).toBe(false);
  });

  it('passes the T (potentially retransmitted) flag to the charging service', async () => {
    await openPeer();
    const request = ccr();
    const answer = await p.request(CCR, 4, request, { retransmitted: true });
    expect(answer.get('Result-Code')).toBe(2001);
    const seen = f.service.requests.find((r) => r.sessionId === answer.get('Session-Id'));
    expect(seen?.retransmission).toBe(true);
  });

  it('answers every CCR of several sent in one write', async () => {
    await openPeer();
    const ids = [101, 102, 103, 104, 105, 106, 107, 108];
    const requests = ids.map(() => ccr());
    const frames = ids.map((id, i) => bytes(CCR, 4, requests[i]!, { hopByHop: id, endToEnd: id + 1000 }));
    const answers = ids.slice(0, -1).map((id) => p.sendRaw(Buffer.alloc(0), id));
    answers.push(p.sendRaw(Buffer.concat(frames), ids.at(-1)!));
    const received = await Promise.all(answers);
    expect(received.map((a) => a.get('Result-Code'))).toEqual(ids.map(() => 2001));
    expect(received.map((a) => a.message.endToEnd)).toEqual(ids.map((id) => id + 1000));
    expect(received.map((a) => a.get('Session-Id'))).toEqual(requests.map(sessionOf));
  });

  it('answers a CCR delivered one byte per write', async () => {
    await openPeer();
    const frame = bytes(CCR, 4, ccr(), { hopByHop: 201, endToEnd: 202 });
    const answer = p.sendRaw(Buffer.alloc(0), 201);
    for (const byte of frame) {
      p.write(Buffer.from([byte]));
      await new Promise<void>((r) => setImmediate(r));
    }
    const received = await answer;
    expect(received.get('Result-Code')).toBe(2001);
    expect(received.message.endToEnd).toBe(202);
  });
});

/**
 * A connection that completes the CER and then only does what the test says: it never answers
 * the server's requests (a hung client), and it frames what it receives without decoding AVP
 * values, so answers that carry a malformed AVP in Failed-AVP can still be inspected.
 */
class RawPeer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly messages: DiameterMessage[] = [];
  private readonly closed: Promise<void>;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawPeer> {
    const socket = connect({ port, host: '127.0.0.1' });
    const peer = new RawPeer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const cer = bytes(
      CER,
      0,
      [
        ['Origin-Host', 'raw.test.example'],
        ['Origin-Realm', 'test.example'],
        ['Host-IP-Address', '127.0.0.1'],
        ['Vendor-Id', 0],
        ['Product-Name', 'raw'],
        ['Auth-Application-Id', 4],
      ],
      { hopByHop: 1, endToEnd: 1 },
    );
    const cea = await peer.exchange(cer, 1);
    expect(answerView(dict, cea).get('Result-Code')).toBe(2001);
    return peer;
  }

  /** Writes a request and resolves with the answer that has its hop-by-hop id. */
  async exchange(request: Buffer, hopByHop: number, timeoutMs = 3000): Promise<DiameterMessage> {
    this.socket.write(request);
    let answer: DiameterMessage | undefined;
    await until(() => {
      answer = this.messages.find((m) => !(m.flags & CommandFlags.Request) && m.hopByHop === hopByHop);
      return answer !== undefined;
    }, timeoutMs);
    return answer!;
  }

  /** Requests the server sent us, in order. */
  requests(): DiameterMessage[] {
    return this.messages.filter((m) => m.flags & CommandFlags.Request);
  }

  whenClosed(timeoutMs: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), sleep(timeoutMs).then(() => false)]);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 20) {
      const length = this.pending.readUIntBE(1, 3);
      if (this.pending.length < length) return;
      this.messages.push(decodeMessage(Buffer.from(this.pending.subarray(0, length))));
      this.pending = this.pending.subarray(length);
    }
  }
}

/** The connection still serves: a DWR gets its DWA 2001. */
async function expectServing(p: TestPeer): Promise<void> {
  expect(p.closed).toBe(false);
  const dwa = await p.request(DWR, 0, [
    ['Origin-Host', p.originHost],
    ['Origin-Realm', p.originRealm],
  ]);
  expect(dwa.get('Result-Code')).toBe(2001);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}
