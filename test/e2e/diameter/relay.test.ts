/**
 * The server behind relays and proxies (RFC 6733 §6), end to end over loopback against a real
 * Redis: every answer carries the request's Proxy-Info back unchanged and in order (§6.2,
 * §6.7.3-§6.7.4), success and error alike; a request for another Destination-Host is answered
 * 3002 and a request that loops (our identity in Route-Record) 3005, both with the E bit,
 * logged, counted and never charged (§6.1.3-§6.1.4, §7.1.3); Route-Record of other hosts is
 * accepted and served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, type AvpEntry } from '../../../src/diameter/avp-tree.js';
import { creditControlHandler } from '../../../src/diameter/credit-control-app.js';
import { resolveAvps } from '../../../src/diameter/avps.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';
import { findAllAvps, type Avp } from '../../../src/diameter/message.js';
import { DiameterServer } from '../../../src/diameter/server.js';
import { createLogger } from '../../../src/logging.js';
import { TestPeer, type ReceivedAnswer } from '../../support/diameter-peer.js';
import { TEST_IDENTITY } from '../../support/diameter-server-fixture.js';
import {
  CCR,
  CONTEXT,
  CREDIT_CONTROL,
  CcSession,
  MiB,
  OCS_ORIGIN_HOST,
  OCS_ORIGIN_REALM,
  ccaHead,
  ccr,
  mscc,
  octets,
  shape,
  startOcs,
  type OcsFixture,
  type Shaped,
} from '../../support/ocs-fixture.js';

const dict = defaultDictionary();
const PROXY_INFO = dict.avpByName('Proxy-Info').code;

/**
 * Two proxies' Proxy-Info, the second with a member this server does not know (Proxy-Info is
 * extensible, RFC 6733 §6.7.3), which must come back all the same.
 */
const PROXIES: AvpEntry[] = [
  [
    'Proxy-Info',
    [
      ['Proxy-Host', 'dra1.relay.example'],
      ['Proxy-State', Buffer.from('state-of-dra1')],
    ],
  ],
  [
    'Proxy-Info',
    [
      ['Proxy-Host', 'dra2.relay.example'],
      ['Proxy-State', Buffer.from([0, 1, 2, 0xff])],
      { code: 0xfff0, vendorId: 0, flags: 0, data: Buffer.from('opaque') },
    ],
  ],
];

/** The two Proxy-Info as `shape` gives them. */
const PROXIES_SHAPED: Shaped[] = [
  [
    'Proxy-Info',
    [
      ['Proxy-Host', 'dra1.relay.example'],
      ['Proxy-State', Buffer.from('state-of-dra1')],
    ],
  ],
  [
    'Proxy-Info',
    [
      ['Proxy-Host', 'dra2.relay.example'],
      ['Proxy-State', Buffer.from([0, 1, 2, 0xff])],
      ['avp-0-65520', Buffer.from('opaque')],
    ],
  ],
];

/** The Proxy-Info AVPs as they go on the wire, for a byte-for-byte comparison. */
function proxyInfoBytes(avps: readonly Avp[]): Buffer[] {
  return findAllAvps(avps, PROXY_INFO).map((a) => Buffer.from(a.data));
}
const SENT_PROXY_INFO = proxyInfoBytes(
  decodeMessage(
    encodeMessage(dict, {
      commandCode: CCR,
      applicationId: CREDIT_CONTROL,
      request: true,
      hopByHop: 1,
      endToEnd: 1,
      avps: PROXIES,
    }),
  ).avps,
);

function expectProxiesEchoed(answer: ReceivedAnswer): void {
  expect(proxyInfoBytes(answer.message.avps)).toEqual(SENT_PROXY_INFO);
}

const ERROR_MESSAGE: Shaped = ['Error-Message', expect.any(String)];

/** The head of an answer-message (RFC 6733 §7.2), as `shape` gives it. */
function answerMessageHead(sessionId: string, resultCode: number): Shaped[] {
  return [
    ['Session-Id', sessionId],
    ['Origin-Host', OCS_ORIGIN_HOST],
    ['Origin-Realm', OCS_ORIGIN_REALM],
    ['Result-Code', resultCode],
  ];
}

async function scrape(ocs: OcsFixture): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

function protocolErrors(metrics: string, resultCode: number): number {
  return sample(metrics, 'ocs_diameter_protocol_errors_total', { result_code: String(resultCode) });
}

interface LoggedRefusal {
  msg: string;
  peer?: string;
  originHost?: string;
  resultCode?: number;
  reason?: string;
}

describe('Proxy-Info (RFC 6733 §6.2, §6.7.3)', () => {
  let ocs: OcsFixture;
  beforeAll(async () => (ocs = await startOcs()));
  afterAll(() => ocs.close());

  it('copies two Proxy-Info into a 2001 CCA, in order and unchanged, after the credit-control AVPs', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] }), ...PROXIES]);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(answer.errorBit).toBe(false);
    const shaped = shape(answer);
    expect(shaped.slice(0, 7)).toEqual(ccaHead(s.id, 2001, 'initial', 0));
    // RFC 4006 §3.2: *[ Proxy-Info ] after the credit-control AVPs of the CCA.
    expect(shaped.slice(-2)).toEqual(PROXIES_SHAPED);
    expect(shaped.map(([name]) => name)).toContain('Multiple-Services-Credit-Control');
    expectProxiesEchoed(answer);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000 - 30, reserved: 30, spent: 0 });
  });

  it('copies them into a 5030 CCA from the charging engine, before Error-Message', async () => {
    const s = new CcSession(ocs, CONTEXT.voice, '8613700000099');
    const answer = await s.initial([mscc(100, { rsu: [['CC-Time', 60]] }), ...PROXIES]);
    expect(answer.errorBit).toBe(false);
    expect(shape(answer)).toEqual([...ccaHead(s.id, 5030, 'initial', 0), ...PROXIES_SHAPED, ERROR_MESSAGE]);
    expectProxiesEchoed(answer);
  });

  it('copies them into a 5005 CCA from the peer layer, before Failed-AVP', async () => {
    const msisdn = await ocs.account();
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const request = s
      .build('initial', [mscc(10, { rsu: [octets(MiB)] }), ...PROXIES])
      .filter((a) => !Array.isArray(a) || a[0] !== 'Service-Context-Id');
    const answer = await ocs.send(request);
    expect(answer.errorBit).toBe(false);
    expect(shape(answer)).toEqual([
      ...ccaHead(s.id, 5005, 'initial', 0),
      ...PROXIES_SHAPED,
      ERROR_MESSAGE,
      ['Failed-AVP', [['Service-Context-Id', '']]],
    ]);
    expectProxiesEchoed(answer);
  });

  it('copies them into a 3001 answer-message, after Failed-AVP where RFC 6733 §7.2 puts them', async () => {
    const sessionId = ocs.sessionId('str');
    // Session-Termination (RFC 6733 §8.4) is proxiable and not served here.
    const answer = await ocs.peer.request(275, 0, [
      ['Session-Id', sessionId],
      ['Origin-Host', 'pcef.test.example'],
      ['Origin-Realm', 'test.example'],
      ['Destination-Realm', OCS_ORIGIN_REALM],
      ['Auth-Application-Id', CREDIT_CONTROL],
      ['Termination-Cause', 1],
      ...PROXIES,
    ]);
    expect(answer.errorBit).toBe(true);
    expect(shape(answer)).toEqual([...answerMessageHead(sessionId, 3001), ERROR_MESSAGE, ...PROXIES_SHAPED]);
    expectProxiesEchoed(answer);
  });
});

describe('Proxy-Info in the answers of admission (3004)', () => {
  let ocs: OcsFixture;
  beforeAll(async () => (ocs = await startOcs({ env: { DIAMETER_MAX_IN_FLIGHT: '1' } })));
  afterAll(() => ocs.close());

  it('copies them into a 3004 TOO_BUSY answer', async () => {
    const msisdn = await ocs.account();
    const sessions = [0, 1].map(() => new CcSession(ocs, CONTEXT.data, msisdn));
    // One write: the second is framed while the first waits on Redis, so it meets the limit.
    ocs.peer.cork();
    const pending = sessions.map((s) =>
      ocs.send(s.build('initial', [mscc(10, { rsu: [octets(MiB)] }), ...PROXIES])),
    );
    ocs.peer.uncork();
    const [admitted, refused] = await Promise.all(pending);
    expect(admitted!.get('Result-Code')).toBe(2001);
    expectProxiesEchoed(admitted!);
    expect(refused!.errorBit).toBe(true);
    expect(shape(refused!)).toEqual([
      ...answerMessageHead(sessions[1]!.id, 3004),
      ERROR_MESSAGE,
      ...PROXIES_SHAPED,
    ]);
    expectProxiesEchoed(refused!);
  });
});

describe('Proxy-Info in the answer to a request whose handler failed (5012)', () => {
  // In the realm the CCR builder addresses (Destination-Realm), so that the request is ours.
  const identity = { ...TEST_IDENTITY, originRealm: OCS_ORIGIN_REALM };
  let server: DiameterServer;
  let peer: TestPeer;
  beforeAll(async () => {
    server = new DiameterServer({
      host: '127.0.0.1',
      port: 0,
      dictionary: dict,
      identity,
      handlers: [
        creditControlHandler({
          avps: resolveAvps(dict),
          identity,
          service: { handle: () => Promise.reject(new Error('the store went away')) },
          logger: createLogger('silent'),
        }),
      ],
      logger: createLogger('silent'),
    });
    peer = new TestPeer((await server.listen()).port);
    await peer.open();
  });
  afterAll(async () => {
    await peer.close();
    await server.close();
  });

  it('copies them into the 5012 CCA the peer layer writes', async () => {
    const sessionId = 'pcef.test.example;relay;5012';
    const answer = await peer.request(CCR, CREDIT_CONTROL, [
      ...ccr({ sessionId, context: CONTEXT.data, type: 'initial', number: 0, msisdn: '8613700000001' }),
      ...PROXIES,
    ]);
    expect(answer.errorBit).toBe(false);
    expect(shape(answer)).toEqual([
      ['Session-Id', sessionId],
      ['Origin-Host', TEST_IDENTITY.originHost],
      ['Origin-Realm', identity.originRealm],
      ['Result-Code', 5012],
      ['Auth-Application-Id', CREDIT_CONTROL],
      ['CC-Request-Type', 1],
      ['CC-Request-Number', 0],
      ...PROXIES_SHAPED,
      ERROR_MESSAGE,
    ]);
    expectProxiesEchoed(answer);
  });
});

describe('requests not for this server (RFC 6733 §6.1.3-§6.1.4)', () => {
  let ocs: OcsFixture;
  beforeAll(async () => (ocs = await startOcs()));
  afterAll(() => ocs.close());

  /** The refusals logged since `from`, as the peer layer logs them. */
  function refusalsLogged(from: number): LoggedRefusal[] {
    return (ocs.logs.slice(from) as LoggedRefusal[]).filter((l) => l.msg === 'request refused');
  }

  it('answers 3002 UNABLE_TO_DELIVER to a CCR for another Destination-Host, and charges nothing', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const before = await scrape(ocs);
    const logged = ocs.logs.length;
    const answer = await s.initial([
      ['Destination-Host', 'ocs2.localdomain'],
      mscc(10, { rsu: [octets(MiB)] }),
      ...PROXIES,
    ]);
    // A protocol error: E bit, answer-message grammar, no credit-control AVPs (RFC 6733 §7.1.3).
    expect(answer.errorBit).toBe(true);
    expect(shape(answer)).toEqual([
      ...answerMessageHead(s.id, 3002),
      ERROR_MESSAGE,
      ['Failed-AVP', [['Destination-Host', 'ocs2.localdomain']]],
      ...PROXIES_SHAPED,
    ]);
    expectProxiesEchoed(answer);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
    // No session was opened: its CCR-U is for a session this server does not know.
    expect((await s.update([mscc(10, { usu: [[octets(MiB)]] })])).get('Result-Code')).toBe(5002);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });

    const after = await scrape(ocs);
    expect(protocolErrors(after, 3002) - protocolErrors(before, 3002)).toBe(1);
    expect(refusalsLogged(logged)).toEqual([
      expect.objectContaining({
        peer: expect.any(String),
        originHost: 'pcef.test.example',
        resultCode: 3002,
        reason: expect.stringContaining('ocs2.localdomain'),
      }),
    ]);
  });

  it('answers 3003 REALM_NOT_SERVED to a CCR for another realm without Destination-Host, and charges nothing', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const message = s
      .build('initial', [mscc(10, { rsu: [octets(MiB)] })])
      .map((avp): AvpEntry =>
        Array.isArray(avp) && avp[0] === 'Destination-Realm' ? ['Destination-Realm', 'other.example'] : avp,
      );
    const answer = await ocs.send(message);
    expect(answer.errorBit).toBe(true);
    expect(shape(answer)).toEqual([
      ...answerMessageHead(s.id, 3003),
      ERROR_MESSAGE,
      ['Failed-AVP', [['Destination-Realm', 'other.example']]],
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
  });

  it('serves a CCR whose Destination-Host is ours, in any case', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const answer = await s.initial([
      ['Destination-Host', OCS_ORIGIN_HOST.toUpperCase()],
      mscc(10, { rsu: [octets(MiB)] }),
    ]);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000 - 30, reserved: 30, spent: 0 });
  });

  it('serves a CCR that passed through other hosts (Route-Record), as if sent directly', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const routed: AvpEntry[] = [
      ['Route-Record', 'pcef.test.example'],
      ['Route-Record', 'dra1.relay.example'],
    ];
    const answer = await s.initial([mscc(10, { rsu: [octets(MiB)] }), ...routed]);
    expect(answer.get('Result-Code')).toBe(2001);
    expect(answer.errorBit).toBe(false);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000 - 30, reserved: 30, spent: 0 });
    const ended = await s.terminate([mscc(10, { usu: [[octets(MiB)]] }), ...routed]);
    expect(ended.get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000 - 30, reserved: 0, spent: 30 });
  });

  it('answers 3005 LOOP_DETECTED to a CCR whose Route-Record names this server, and charges nothing', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const s = new CcSession(ocs, CONTEXT.data, msisdn);
    const before = await scrape(ocs);
    const logged = ocs.logs.length;
    const answer = await s.initial([
      mscc(10, { rsu: [octets(MiB)] }),
      ['Route-Record', 'dra1.relay.example'],
      ['Route-Record', 'OCS.LocalDomain'],
      ['Route-Record', 'dra2.relay.example'],
      ...PROXIES,
    ]);
    expect(answer.errorBit).toBe(true);
    expect(shape(answer)).toEqual([
      ...answerMessageHead(s.id, 3005),
      ERROR_MESSAGE,
      ['Failed-AVP', [['Route-Record', 'OCS.LocalDomain']]],
      ...PROXIES_SHAPED,
    ]);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
    expect((await s.update([mscc(10, { usu: [[octets(MiB)]] })])).get('Result-Code')).toBe(5002);

    const after = await scrape(ocs);
    expect(protocolErrors(after, 3005) - protocolErrors(before, 3005)).toBe(1);
    expect(refusalsLogged(logged)).toEqual([
      expect.objectContaining({
        peer: expect.any(String),
        originHost: 'pcef.test.example',
        resultCode: 3005,
      }),
    ]);
  });

  it('charges nothing for a CCR-Event sent to another Destination-Host', async () => {
    const msisdn = await ocs.account({ balance: 10_000 });
    const answer = await ocs.send(
      ccr({
        sessionId: ocs.sessionId('sms'),
        context: CONTEXT.sms,
        type: 'event',
        number: 0,
        msisdn,
        avps: [
          ['Destination-Host', 'ocs2.localdomain'],
          ['Requested-Action', 0],
          ['Requested-Service-Unit', [['CC-Service-Specific-Units', 1]]],
        ],
      }),
    );
    expect(answer.get('Result-Code')).toBe(3002);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10_000, reserved: 0, spent: 0 });
    expect(await ocs.cdrs(msisdn)).toEqual([]);
  });
});
