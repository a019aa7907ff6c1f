/**
 * Interoperability with an independent implementation, the npm `diameter` package (0.7.0): its
 * client talks to our server over loopback, and each codec decodes what the other encodes.
 *
 * Only what that package gets right is used: the base protocol and the RFC 4006 AVPs. Its
 * dictionary has 3GPP vendor AVPs wrong, has no type for Failed-AVP, sets the P bit on AVPs it
 * calls protected, writes only the low 32 bits of an Unsigned64 given as a number, and decodes
 * one message per TCP read; none of that is exercised here.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreditControlAnswer } from '../../src/credit-control/types.js';
import { decodeTree, encodeMessage, type DecodedAvp } from '../../src/diameter/avp-tree.js';
import { timeToNtpSeconds } from '../../src/diameter/avp-value.js';
import { resolveAvps } from '../../src/diameter/avps.js';
import { encodeCreditControlAnswer } from '../../src/diameter/cca-encode.js';
import { decodeMessage } from '../../src/diameter/decode.js';
import { defaultDictionary } from '../../src/diameter/dictionary.js';
import { MessageWriter } from '../../src/diameter/encode.js';
import { CommandFlags } from '../../src/diameter/message.js';
import { validateAvps } from '../../src/diameter/validate.js';
import { TestPeer } from '../support/diameter-peer.js';
import {
  TEST_IDENTITY,
  startDiameterServer,
  type DiameterServerFixture,
} from '../support/diameter-server-fixture.js';

// ---------------------------------------------------------------------------------------------
// The npm package is CommonJS and untyped: the little of it these tests use, typed here.

interface NpmLong {
  toString(): string;
}
type NpmValue = string | number | NpmLong | NpmAvp[];
type NpmAvp = [name: string, value: NpmValue];

interface NpmMessage {
  header: {
    version: number;
    length?: number;
    commandCode: number;
    flags: { request: boolean; proxiable: boolean; error: boolean; potentiallyRetransmitted: boolean };
    applicationId: number;
    application?: string;
    hopByHopId: number;
    endToEndId: number;
  };
  body: NpmAvp[];
  command: string;
}

interface NpmConnection {
  createRequest(application: string, command: string, sessionId?: string): NpmMessage;
  sendRequest(request: NpmMessage, timeoutMs?: number): PromiseLike<NpmMessage>;
  end(): void;
}

interface NpmSocket extends Socket {
  diameterConnection: NpmConnection;
}

interface NpmDiameter {
  createConnection(options: { port: number; host: string }, onConnect: () => void): NpmSocket;
}

interface NpmCodec {
  decodeMessage(buffer: Buffer): NpmMessage;
  encodeMessage(message: NpmMessage): Buffer;
  constructRequest(application: string, command: string, sessionId: string): NpmMessage;
}

interface NpmDictionary {
  avps: { name: string; code: number; vendorId: number; enums?: { code: number; name: string }[] }[];
}

const require = createRequire(import.meta.url);
const diameter = require('diameter') as NpmDiameter;
const codec = require('diameter/lib/diameter-codec') as NpmCodec;
const npmDictionary = require('diameter/dictionary.json') as NpmDictionary;
// The Long class the package itself uses (its Unsigned64 encoder tests `instanceof Long`).
const Long = createRequire(require.resolve('diameter'))('long') as {
  fromString(value: string, unsigned?: boolean): NpmLong;
  isLong(value: unknown): value is NpmLong;
};

const dict = defaultDictionary();
const avps = resolveAvps(dict);

const CREDIT_CONTROL = 'Diameter Credit Control Application';
const COMMON = 'Diameter Common Messages';

// ---------------------------------------------------------------------------------------------
// Both decoders' output in one canonical shape: [name, number | bigint | string | nested].

type Canonical = [string | undefined, number | bigint | string | Canonical[]];

/** IPv6 in its RFC 5952 text form: ours writes every group ("2001:db8:0:0:0:0:0:1"), theirs compresses. */
function canonicalAddress(name: string | undefined, value: string): string {
  if (name === undefined || dict.hasAvp(name) === false || dict.avpByName(name).type !== 'Address')
    return value;
  return value.includes(':') ? new URL(`http://[${value}]/`).hostname.slice(1, -1) : value;
}

/** Our decoded tree, with text and Time values as the npm package reports them. */
function canonicalOurs(tree: readonly DecodedAvp[]): Canonical[] {
  return tree.map((a): Canonical => {
    const v = a.value;
    if (Array.isArray(v)) return [a.name, canonicalOurs(v)];
    if (Buffer.isBuffer(v)) return [a.name, v.toString('utf8')];
    if (v instanceof Date) return [a.name, timeToNtpSeconds(v)];
    if (typeof v === 'string') return [a.name, canonicalAddress(a.name, v)];
    return [a.name, v];
  });
}

/** The npm package's body, with enumerated names turned back into the numbers on the wire. */
function canonicalTheirs(body: readonly NpmAvp[]): Canonical[] {
  return body.map(([name, value]): Canonical => {
    if (Array.isArray(value)) return [name, canonicalTheirs(value)];
    if (Long.isLong(value)) return [name, BigInt(value.toString())];
    if (typeof value === 'string') {
      const enums = npmDictionary.avps.find((a) => a.name === name)?.enums;
      const code = enums?.find((e) => e.name === value)?.code;
      if (code !== undefined) return [name, code];
      return [name, canonicalAddress(name, value)];
    }
    return [name, value as number | string];
  });
}

// ---------------------------------------------------------------------------------------------

const CLIENT = { originHost: 'npm-client.test.example', originRealm: 'test.example' };

function ccrBody(): NpmAvp[] {
  return [
    ['Origin-Host', CLIENT.originHost],
    ['Origin-Realm', CLIENT.originRealm],
    ['Destination-Realm', 'test.example'],
    ['Auth-Application-Id', 'Diameter Credit Control'],
    ['Service-Context-Id', '32251@3gpp.org'],
    ['CC-Request-Type', 'INITIAL_REQUEST'],
    ['CC-Request-Number', 0],
    [
      'Subscription-Id',
      [
        ['Subscription-Id-Type', 'END_USER_E164'],
        ['Subscription-Id-Data', '8613800000001'],
      ],
    ],
    ['Multiple-Services-Indicator', 'MULTIPLE_SERVICES_SUPPORTED'],
    [
      'Multiple-Services-Credit-Control',
      [
        ['Requested-Service-Unit', [['CC-Time', 60]]],
        ['Rating-Group', 10],
      ],
    ],
  ];
}

describe('the npm diameter client against our server', () => {
  let f: DiameterServerFixture;
  let socket: NpmSocket;
  let connection: NpmConnection;
  const socketErrors: unknown[] = [];
  let closed: Promise<void>;

  beforeAll(async () => {
    f = await startDiameterServer();
    socket = await new Promise<NpmSocket>((resolve, reject) => {
      const s = diameter.createConnection({ port: f.port, host: '127.0.0.1' }, () => resolve(s));
      // The package reports its own decode failures as socket errors: without a listener they kill the process.
      s.on('error', (err) => {
        socketErrors.push(err);
        reject(err);
      });
    });
    closed = new Promise((resolve) => socket.once('close', () => resolve()));
    connection = socket.diameterConnection;
  });

  afterAll(async () => {
    socket.destroy();
    await closed;
    await f.stop();
  });

  it('gets a CEA 2001 with our identity for its CER', async () => {
    const cer = connection.createRequest(COMMON, 'Capabilities-Exchange');
    cer.body.push(
      ['Origin-Host', CLIENT.originHost],
      ['Origin-Realm', CLIENT.originRealm],
      ['Host-IP-Address', '127.0.0.1'],
      ['Vendor-Id', 0],
      ['Product-Name', 'node-diameter'],
      ['Origin-State-Id', 219081],
      ['Supported-Vendor-Id', 10415],
      ['Auth-Application-Id', 'Diameter Credit Control'],
    );
    const cea = await connection.sendRequest(cer, 3000);
    expect(cea.command).toBe('Capabilities-Exchange');
    expect(cea.header.flags).toMatchObject({ request: false, error: false });
    expect(cea.header.hopByHopId).toBe(cer.header.hopByHopId);
    expect(cea.header.endToEndId).toBe(cer.header.endToEndId);
    const body = new Map(cea.body);
    expect(body.get('Result-Code')).toBe('DIAMETER_SUCCESS');
    expect(body.get('Origin-Host')).toBe(TEST_IDENTITY.originHost);
    expect(body.get('Origin-Realm')).toBe(TEST_IDENTITY.originRealm);
    expect(body.get('Host-IP-Address')).toBe('127.0.0.1');
    expect(body.get('Vendor-Id')).toBe(0);
    expect(body.get('Product-Name')).toBe('gy-ocs');
    expect(body.get('Firmware-Revision')).toBe(1);
    expect(body.get('Supported-Vendor-Id')).toBe(10415);
    expect(body.get('Auth-Application-Id')).toBe('Diameter Credit Control');
    expect(f.server.openPeers).toBe(1);
  });

  it('gets a DWA 2001 for its DWR', async () => {
    const dwr = connection.createRequest(COMMON, 'Device-Watchdog');
    dwr.body.push(['Origin-Host', CLIENT.originHost], ['Origin-Realm', CLIENT.originRealm]);
    const dwa = await connection.sendRequest(dwr, 3000);
    expect(dwa.command).toBe('Device-Watchdog');
    expect(dwa.header.endToEndId).toBe(dwr.header.endToEndId);
    const body = new Map(dwa.body);
    expect(body.get('Result-Code')).toBe('DIAMETER_SUCCESS');
    expect(body.get('Origin-Host')).toBe(TEST_IDENTITY.originHost);
  });

  it('gets a CCA 2001 for its CCR-I, read back with its own decoder', async () => {
    const ccr = connection.createRequest(CREDIT_CONTROL, 'Credit-Control', 'npm-client.test.example;1;1');
    ccr.header.flags.proxiable = true;
    ccr.body.push(...ccrBody());
    const cca = await connection.sendRequest(ccr, 3000);
    expect(cca.command).toBe('Credit-Control');
    expect(cca.header.application).toBe(CREDIT_CONTROL);
    expect(cca.header.flags).toMatchObject({ request: false, proxiable: true, error: false });
    expect(cca.header.endToEndId).toBe(ccr.header.endToEndId);
    expect(cca.body).toEqual([
      ['Session-Id', 'npm-client.test.example;1;1'],
      ['Origin-Host', TEST_IDENTITY.originHost],
      ['Origin-Realm', TEST_IDENTITY.originRealm],
      ['Result-Code', 'DIAMETER_SUCCESS'],
      ['Auth-Application-Id', 'Diameter Credit Control'],
      ['CC-Request-Type', 'INITIAL_REQUEST'],
      ['CC-Request-Number', 0],
      [
        'Multiple-Services-Credit-Control',
        [
          ['Granted-Service-Unit', [['CC-Time', 60]]],
          ['Rating-Group', 10],
          ['Result-Code', 'DIAMETER_SUCCESS'],
        ],
      ],
    ]);
    // What the charging service was handed: the npm client's request, decoded by our edge.
    const seen = f.service.requests.at(-1);
    expect(seen).toMatchObject({
      sessionId: 'npm-client.test.example;1;1',
      originHost: CLIENT.originHost,
      requestType: 'initial',
      requestNumber: 0,
      subscriptionIds: [{ type: 'e164', data: '8613800000001' }],
      multipleServicesIndicator: true,
      services: [{ ratingGroup: 10, requested: { time: 60 } }],
    });
  });

  it('gets a DPA 2001 for its DPR, and the server closes the connection', async () => {
    const dpr = connection.createRequest(COMMON, 'Disconnect-Peer');
    dpr.body.push(
      ['Origin-Host', CLIENT.originHost],
      ['Origin-Realm', CLIENT.originRealm],
      ['Disconnect-Cause', 'REBOOTING'],
    );
    const dpa = await connection.sendRequest(dpr, 3000);
    expect(dpa.command).toBe('Disconnect-Peer');
    expect(new Map(dpa.body).get('Result-Code')).toBe('DIAMETER_SUCCESS');
    await closed;
    expect(socketErrors).toEqual([]);
  });
});

describe('codec cross-checks with the npm diameter codec', () => {
  let f: DiameterServerFixture;
  beforeAll(async () => (f = await startDiameterServer()));
  afterAll(() => f.stop());

  it('decodes the CEA our server sends to the same values as ours', async () => {
    const p = new TestPeer(f.port);
    try {
      const cea = await p.open();
      const theirs = codec.decodeMessage(cea.message.raw);
      expect(theirs.command).toBe('Capabilities-Exchange');
      expect(theirs.header).toMatchObject({
        version: 1,
        length: cea.message.raw.length,
        commandCode: 257,
        applicationId: 0,
        hopByHopId: cea.message.hopByHop,
        endToEndId: cea.message.endToEnd,
      });
      expect(canonicalTheirs(theirs.body)).toEqual(canonicalOurs(cea.tree));
      expect(cea.tree.map((a) => a.name)).toEqual([
        'Origin-Host',
        'Origin-Realm',
        'Result-Code',
        'Host-IP-Address',
        'Vendor-Id',
        'Product-Name',
        'Origin-State-Id',
        'Supported-Vendor-Id',
        'Auth-Application-Id',
        'Firmware-Revision',
      ]);
    } finally {
      await p.close();
    }
  });

  it('decodes a CCA with MSCC, Granted-Service-Unit, Final-Unit-Indication and Cost-Information as ours does', () => {
    const request = decodeMessage(
      encodeMessage(dict, {
        commandCode: 272,
        applicationId: 4,
        request: true,
        proxiable: true,
        hopByHop: 0x11223344,
        endToEnd: 0x55667788,
        avps: [
          ['Session-Id', 'pcef.test.example;42;7'],
          ['Origin-Host', 'pcef.test.example'],
          ['Origin-Realm', 'test.example'],
          ['Destination-Realm', 'test.example'],
          ['Auth-Application-Id', 4],
          ['Service-Context-Id', '32251@3gpp.org'],
          ['CC-Request-Type', 2],
          ['CC-Request-Number', 3],
        ],
      }),
    );
    const answer: CreditControlAnswer = {
      resultCode: 2001,
      services: [
        {
          ratingGroup: 10,
          serviceIdentifiers: [1001],
          resultCode: 2001,
          granted: { time: 3600, totalOctets: 5_000_000_000, inputOctets: 1_000_000, outputOctets: 7 },
          validityTime: 600,
          finalUnitIndication: {
            action: 'redirect',
            redirect: { addressType: 'url', address: 'http://top-up.test.example/' },
            filterIds: ['prepaid-only'],
          },
        },
        { ratingGroup: 20, resultCode: 4012, finalUnitIndication: { action: 'terminate' } },
      ],
      costInformation: { valueDigits: 1234, exponent: -2, currencyCode: 978, costUnit: 'minute' },
      creditControlFailureHandling: 'continue',
      directDebitingFailureHandling: 'terminate-or-buffer',
    };
    const bytes = encodeCreditControlAnswer(new MessageWriter(), avps, TEST_IDENTITY, request, answer);
    const theirs = codec.decodeMessage(bytes);
    expect(theirs.command).toBe('Credit-Control');
    expect(theirs.header).toMatchObject({
      length: bytes.length,
      applicationId: 4,
      hopByHopId: 0x11223344,
      endToEndId: 0x55667788,
      flags: { request: false, proxiable: true, error: false, potentiallyRetransmitted: false },
    });
    const ours = canonicalOurs(decodeTree(dict, decodeMessage(bytes).avps));
    expect(canonicalTheirs(theirs.body)).toEqual(ours);
    // And the values are the ones the charging logic meant, not merely the same mistake twice.
    expect(ours).toEqual([
      ['Session-Id', 'pcef.test.example;42;7'],
      ['Origin-Host', TEST_IDENTITY.originHost],
      ['Origin-Realm', TEST_IDENTITY.originRealm],
      ['Result-Code', 2001],
      ['Auth-Application-Id', 4],
      ['CC-Request-Type', 2],
      ['CC-Request-Number', 3],
      [
        'Multiple-Services-Credit-Control',
        [
          [
            'Granted-Service-Unit',
            [
              ['CC-Time', 3600],
              ['CC-Total-Octets', 5_000_000_000n],
              ['CC-Input-Octets', 1_000_000n],
              ['CC-Output-Octets', 7n],
            ],
          ],
          ['Service-Identifier', 1001],
          ['Rating-Group', 10],
          ['Validity-Time', 600],
          ['Result-Code', 2001],
          [
            'Final-Unit-Indication',
            [
              ['Final-Unit-Action', 1],
              ['Filter-Id', 'prepaid-only'],
              [
                'Redirect-Server',
                [
                  ['Redirect-Address-Type', 2],
                  ['Redirect-Server-Address', 'http://top-up.test.example/'],
                ],
              ],
            ],
          ],
        ],
      ],
      [
        'Multiple-Services-Credit-Control',
        [
          ['Rating-Group', 20],
          ['Result-Code', 4012],
          ['Final-Unit-Indication', [['Final-Unit-Action', 0]]],
        ],
      ],
      [
        'Cost-Information',
        [
          [
            'Unit-Value',
            [
              ['Value-Digits', 1234n],
              ['Exponent', -2],
            ],
          ],
          ['Currency-Code', 978],
          ['Cost-Unit', 'minute'],
        ],
      ],
      ['Credit-Control-Failure-Handling', 1],
      ['Direct-Debiting-Failure-Handling', 0],
    ]);
  });

  it.each([
    [
      'CER',
      COMMON,
      'Capabilities-Exchange',
      [
        ['Origin-Host', CLIENT.originHost],
        ['Origin-Realm', CLIENT.originRealm],
        ['Host-IP-Address', '192.0.2.7'],
        ['Host-IP-Address', '2001:db8::1'],
        ['Vendor-Id', 10415],
        ['Product-Name', 'node-diameter'],
        ['Origin-State-Id', 219081],
        ['Supported-Vendor-Id', 10415],
        ['Auth-Application-Id', 'Diameter Credit Control'],
        ['Firmware-Revision', 7],
      ],
    ],
    [
      'DWR',
      COMMON,
      'Device-Watchdog',
      [
        ['Origin-Host', CLIENT.originHost],
        ['Origin-Realm', CLIENT.originRealm],
        ['Origin-State-Id', 5],
      ],
    ],
    [
      'DPR',
      COMMON,
      'Disconnect-Peer',
      [
        ['Origin-Host', CLIENT.originHost],
        ['Origin-Realm', CLIENT.originRealm],
        ['Disconnect-Cause', 'DO_NOT_WANT_TO_TALK_TO_YOU'],
      ],
    ],
    [
      'CCR-U',
      CREDIT_CONTROL,
      'Credit-Control',
      [
        ...ccrBody().filter(([name]) => name !== 'CC-Request-Type' && name !== 'CC-Request-Number'),
        ['CC-Request-Type', 'UPDATE_REQUEST'],
        ['CC-Request-Number', 1],
        ['Event-Timestamp', timeToNtpSeconds(new Date('2026-11-23T10:00:00Z'))],
        [
          'Multiple-Services-Credit-Control',
          [
            [
              'Used-Service-Unit',
              [
                ['CC-Time', 55],
                ['CC-Total-Octets', Long.fromString('6000000000', true)],
              ],
            ],
            ['Requested-Service-Unit', []],
            ['Rating-Group', 20],
          ],
        ],
      ],
    ],
  ] as [string, string, string, NpmAvp[]][])(
    'decodes the %s its encoder writes to the same values, and finds it valid',
    (_name, application, command, body) => {
      const request = codec.constructRequest(application, command, 'npm-client.test.example;2;1');
      request.header.hopByHopId = 0x0a0b0c0d;
      request.body.push(...body);
      const bytes = codec.encodeMessage(request);
      const ours = decodeMessage(bytes);
      expect(ours).toMatchObject({
        version: 1,
        length: bytes.length,
        commandCode: request.header.commandCode,
        applicationId: request.header.applicationId,
        hopByHop: 0x0a0b0c0d,
        endToEnd: request.header.endToEndId,
      });
      expect(ours.flags & CommandFlags.Request).toBe(CommandFlags.Request);
      expect(canonicalOurs(decodeTree(dict, ours.avps))).toEqual(canonicalTheirs(request.body));
      const grammar = dict.command(ours.commandCode, ours.applicationId)?.request;
      expect(grammar).toBeDefined();
      expect(validateAvps(dict, ours.avps, grammar)).toBeUndefined();
    },
  );

  it('decodes a CCA its encoder writes (MSCC, Granted-Service-Unit, Final-Unit-Indication, Cost-Information)', () => {
    const cca: NpmMessage = {
      header: {
        version: 1,
        commandCode: 272,
        flags: { request: false, proxiable: true, error: false, potentiallyRetransmitted: false },
        applicationId: 4,
        hopByHopId: 0x01010101,
        endToEndId: 0x02020202,
      },
      command: 'Credit-Control',
      body: [
        ['Session-Id', 'pcef.test.example;42;8'],
        ['Origin-Host', TEST_IDENTITY.originHost],
        ['Origin-Realm', TEST_IDENTITY.originRealm],
        ['Result-Code', 'DIAMETER_SUCCESS'],
        ['Auth-Application-Id', 'Diameter Credit Control'],
        ['CC-Request-Type', 'TERMINATION_REQUEST'],
        ['CC-Request-Number', 9],
        [
          'Multiple-Services-Credit-Control',
          [
            ['Granted-Service-Unit', [['CC-Total-Octets', Long.fromString('4294967296', true)]]],
            ['Rating-Group', 30],
            ['Result-Code', 'DIAMETER_SUCCESS'],
            ['Final-Unit-Indication', [['Final-Unit-Action', 'TERMINATE']]],
          ],
        ],
        [
          'Cost-Information',
          [
            [
              'Unit-Value',
              [
                ['Value-Digits', Long.fromString('250')],
                ['Exponent', -1],
              ],
            ],
            ['Currency-Code', 840],
            ['Cost-Unit', 'MB'],
          ],
        ],
      ],
    };
    const bytes = codec.encodeMessage(cca);
    const ours = decodeMessage(bytes);
    expect(ours.flags).toBe(CommandFlags.Proxiable);
    expect(ours.endToEnd).toBe(0x02020202);
    expect(canonicalOurs(decodeTree(dict, ours.avps))).toEqual(canonicalTheirs(cca.body));
    const services = decodeTree(dict, ours.avps).find((a) => a.name === 'Multiple-Services-Credit-Control');
    const granted = (services?.value as DecodedAvp[]).find((a) => a.name === 'Granted-Service-Unit');
    expect((granted?.value as DecodedAvp[])[0]?.value).toBe(4_294_967_296n);
    expect(validateAvps(dict, ours.avps, dict.command(272, 4)?.answer)).toBeUndefined();
  });
});
