/**
 * A whole OCS for end-to-end tests: `startServer` on the run's one Redis (see
 * redis-global-setup.ts) under a key prefix of its own, a provisioning document applied, a
 * Diameter client connected over loopback, a clock the test moves, and `close()` that stops
 * every server and socket it opened and deletes every key of the prefix.
 *
 * Also the CCR building blocks the tests share (RFC 4006 §3.1, TS 32.299 §6.4.2) and `shape()`,
 * which turns an answer into plain `[name, value]` pairs so a test can check every AVP at once.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { BucketView } from '../../src/balance/index.js';
import { loadConfig } from '../../src/config/config.js';
import { CdrWriter, type StoredChargingRecord } from '../../src/credit-control/cdr.js';
import { chargingSettings } from '../../src/credit-control/settings.js';
import type { AvpEntry, DecodedAvp } from '../../src/diameter/avp-tree.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { provision, type ProvisioningSummary } from '../../src/provisioning/apply.js';
import { TEST_PEER_HOST, TestPeer, type ReceivedAnswer } from './diameter-peer.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const OCS_ORIGIN_HOST = 'ocs.localdomain';
export const OCS_ORIGIN_REALM = 'localdomain';
export const MiB = 1_048_576;
export const CCR = 272;
export const CREDIT_CONTROL = 4;

export const CONTEXT = {
  data: '32251@3gpp.org',
  voice: '32260@3gpp.org',
  sms: '32274@3gpp.org',
} as const;

/** RFC 4006 §8.3 CC-Request-Type. */
export const REQUEST_TYPE = { initial: 1, update: 2, termination: 3, event: 4 } as const;
export type RequestTypeName = keyof typeof REQUEST_TYPE;

/** RFC 4006 §8.41 Requested-Action. */
export const ACTION = { directDebiting: 0, refundAccount: 1, checkBalance: 2, priceEnquiry: 3 } as const;

/** TS 32.299 §7.2.175 Reporting-Reason. */
export const REPORTING_REASON = {
  threshold: 0,
  qht: 1,
  final: 2,
  quotaExhausted: 3,
  validityTime: 4,
} as const;

/**
 * The tariffs every fixture starts with (DESIGN §6 amounts: minor units, seconds, octets):
 * `std` prices voice 0.15 per started minute (terminating free), SMS 0.10, data RG 10 0.30 and
 * RG 20 0.10 per started MiB; `voice-only` has no data or SMS price.
 */
export const TARIFFS_YAML = `
tariffs:
  - id: std
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15, terminatingPricePerUnit: 0 }
    sms: { pricePerMessage: 10 }
    data:
      ratingGroups:
        '10': { unitOctets: ${MiB}, pricePerUnit: 30 }
        '20': { unitOctets: ${MiB}, pricePerUnit: 10 }
  - id: voice-only
    currency: CNY
    voice: { unitSeconds: 60, pricePerUnit: 15 }
`;

export interface AccountSpec {
  balance?: number;
  prepaid?: boolean;
  tariff?: string;
  status?: 'active' | 'blocked' | 'lost';
  validUntil?: string;
  minThreshold?: number;
}

export interface Clock {
  /** Milliseconds since the epoch, as the server reads it. */
  ms: number;
  advance(seconds: number): void;
}

export interface OcsFixture {
  server: RunningServer;
  prefix: string;
  clock: Clock;
  /** Connected and past CER/CEA. */
  peer: TestPeer;
  /** A second Redis connection, for looking at keys. */
  redis: Redis;
  /** Everything the server logged at warn or above. */
  logs: { level: number; msg: string }[];
  /** Provisions a fresh prepaid account (default balance 10000 on `std`) and returns its MSISDN. */
  account(spec?: AccountSpec): Promise<string>;
  provision(yaml: string): Promise<ProvisioningSummary>;
  /** The money bucket of the account. */
  balance(msisdn: string): Promise<BucketView>;
  /** CDRs of the account, newest first. */
  cdrs(msisdn: string): Promise<StoredChargingRecord[]>;
  /** A Session-Id no other test uses. */
  sessionId(label?: string): string;
  /** Sends a CCR on `peer`. */
  send(avps: readonly AvpEntry[], flags?: { retransmitted?: boolean }): Promise<ReceivedAnswer>;
  /** Another client connection (closed by close()). */
  connect(): Promise<TestPeer>;
  /** Another server instance on the same Redis and key prefix, with a client of its own. */
  secondInstance(): Promise<{ server: RunningServer; peer: TestPeer }>;
  close(): Promise<void>;
}

export interface OcsOptions {
  /** Charging settings (src/credit-control/settings.ts input); defaults otherwise. */
  settings?: unknown;
  /** Start of the clock; default 2026-03-01T08:00:00Z. */
  startMs?: number;
  /** More environment variables of the configuration (README, Configuration), e.g. DIAMETER_MAX_IN_FLIGHT. */
  env?: Record<string, string>;
}

let fixtures = 0;

export async function startOcs(options: OcsOptions = {}): Promise<OcsFixture> {
  const url = inject('redisUrl');
  const prefix = `e2e:${randomBytes(4).toString('hex')}:`;
  const clock: Clock = {
    ms: options.startMs ?? Date.UTC(2026, 2, 1, 8, 0, 0),
    advance(seconds) {
      this.ms += seconds * 1000;
    },
  };
  const logs: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) logs.push(JSON.parse(line) as { level: number; msg: string });
      }
      done();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  const config = loadConfig({
    DIAMETER_HOST: '127.0.0.1',
    DIAMETER_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    REDIS_URL: url,
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  // The test peer may refund (CCR-Event REFUND_ACCOUNT), as an operator allows its own nodes.
  const settings = chargingSettings({ refunds: { peers: [TEST_PEER_HOST] }, ...(options.settings ?? {}) });
  const start = () =>
    startServer(config, {
      keyPrefix: prefix,
      supervisionIntervalMs: 0,
      now: () => clock.ms,
      settings,
      logger,
    });

  const servers: RunningServer[] = [];
  const peers: TestPeer[] = [];
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const connectTo = async (port: number) => {
    const p = new TestPeer(port);
    peers.push(p);
    await p.open();
    return p;
  };

  const server = await start();
  servers.push(server);
  const deps = {
    redis: server.redis,
    store: server.store,
    catalog: server.catalog,
    sessionKeys: server.sessionKeys,
  };
  await provision(deps, TARIFFS_YAML);
  const peer = await connectTo(server.diameterPort);
  const cdrReader = new CdrWriter(server.redis, server.sessionKeys, 1000);
  const fixture = ++fixtures;
  let accounts = 0;
  let sessions = 0;

  return {
    server,
    prefix,
    clock,
    peer,
    redis,
    logs,
    async account(spec = {}) {
      const msisdn = `86139${String(process.pid % 100).padStart(2, '0')}${String(fixture % 100).padStart(2, '0')}${String(++accounts).padStart(4, '0')}`;
      const fields = {
        msisdn,
        prepaid: spec.prepaid ?? true,
        tariff: spec.tariff ?? 'std',
        balance: spec.balance ?? 10000,
        status: spec.status ?? 'active',
        minThreshold: spec.minThreshold ?? 0,
        ...(spec.validUntil ? { validUntil: spec.validUntil } : {}),
      };
      await provision(deps, JSON.stringify({ accounts: [fields] }));
      return msisdn;
    },
    provision: (yaml) => provision(deps, yaml),
    async balance(msisdn) {
      const account = await server.store.getAccount(msisdn);
      if (!account) throw new Error(`no account ${msisdn}`);
      return account.buckets.money!;
    },
    cdrs: (msisdn) => cdrReader.read(msisdn),
    sessionId: (label = 's') => `pcef.test.example;${prefix}${++sessions};${label}`,
    send: (avps, flags = {}) => peer.request(CCR, CREDIT_CONTROL, avps, flags),
    connect: () => connectTo(server.diameterPort),
    async secondInstance() {
      const other = await start();
      servers.push(other);
      return { server: other, peer: await connectTo(other.diameterPort) };
    },
    async close() {
      await Promise.all(peers.splice(0).map((p) => p.close()));
      await Promise.all(servers.splice(0).map((s) => s.close()));
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/** What a CCR is made of; `msisdn` undefined leaves Subscription-Id out. */
export interface CcrSpec {
  sessionId: string;
  context: string;
  type: RequestTypeName;
  number: number;
  msisdn?: string | undefined;
  /** Appended after the common AVPs: MSCCs, Requested-Action, Service-Information... */
  avps?: readonly AvpEntry[];
}

/** A CCR's AVPs in the order of RFC 4006 §3.1. */
export function ccr(spec: CcrSpec): AvpEntry[] {
  const avps: AvpEntry[] = [
    ['Session-Id', spec.sessionId],
    ['Origin-Host', 'pcef.test.example'],
    ['Origin-Realm', 'test.example'],
    ['Destination-Realm', OCS_ORIGIN_REALM],
    ['Auth-Application-Id', CREDIT_CONTROL],
    ['Service-Context-Id', spec.context],
    ['CC-Request-Type', REQUEST_TYPE[spec.type]],
    ['CC-Request-Number', spec.number],
  ];
  if (spec.msisdn !== undefined) {
    avps.push([
      'Subscription-Id',
      [
        ['Subscription-Id-Type', 0],
        ['Subscription-Id-Data', spec.msisdn],
      ],
    ]);
  }
  return [...avps, ...(spec.avps ?? [])];
}

export const octets = (n: number): AvpEntry => ['CC-Total-Octets', n];
export const seconds = (n: number): AvpEntry => ['CC-Time', n];
export const messages = (n: number): AvpEntry => ['CC-Service-Specific-Units', n];

export interface MsccSpec {
  /** Requested-Service-Unit members; `[]` sends an empty one. */
  rsu?: AvpEntry[];
  /** One Used-Service-Unit per entry, each a list of its members. */
  usu?: AvpEntry[][];
  reportingReason?: number;
  serviceIdentifier?: number;
}

/** One Multiple-Services-Credit-Control; `rg` undefined leaves Rating-Group out. */
export function mscc(rg: number | undefined, spec: MsccSpec = {}): AvpEntry {
  const inner: AvpEntry[] = [];
  if (spec.rsu) inner.push(['Requested-Service-Unit', spec.rsu]);
  for (const u of spec.usu ?? []) inner.push(['Used-Service-Unit', u]);
  if (spec.serviceIdentifier !== undefined) inner.push(['Service-Identifier', spec.serviceIdentifier]);
  if (rg !== undefined) inner.push(['Rating-Group', rg]);
  if (spec.reportingReason !== undefined) inner.push(['Reporting-Reason', spec.reportingReason]);
  return ['Multiple-Services-Credit-Control', inner];
}

/** IMS-Information of a voice leg (TS 32.299 §7.2.77); role 0 originating, 1 terminating. */
export function imsInformation(calling: string, called: string, role = 0): AvpEntry {
  return [
    'Service-Information',
    [
      [
        'IMS-Information',
        [
          ['Node-Functionality', 6],
          ['Role-Of-Node', role],
          ['Calling-Party-Address', calling],
          ['Called-Party-Address', called],
        ],
      ],
    ],
  ];
}

/**
 * One credit-control session as a client drives it: request numbers counted for the caller,
 * `extra` AVPs (e.g. IMS-Information) sent with every request.
 */
export class CcSession {
  readonly id: string;
  number = 0;

  constructor(
    private readonly ocs: Pick<OcsFixture, 'sessionId' | 'send'>,
    readonly context: string,
    readonly msisdn: string,
    private readonly extra: readonly AvpEntry[] = [],
    private readonly via?: TestPeer,
  ) {
    this.id = ocs.sessionId(context.slice(0, 5));
  }

  /** The CCR of the next request number (not sent). */
  build(type: RequestTypeName, avps: readonly AvpEntry[] = [], number = this.number): AvpEntry[] {
    return ccr({
      sessionId: this.id,
      context: this.context,
      type,
      number,
      msisdn: this.msisdn,
      avps: [...avps, ...this.extra],
    });
  }

  /** Sends the next request (request number counted up) on the fixture's peer or `via`. */
  next(type: RequestTypeName, avps: readonly AvpEntry[] = [], peer = this.via): Promise<ReceivedAnswer> {
    const message = this.build(type, avps, this.number++);
    return peer ? peer.request(CCR, CREDIT_CONTROL, message) : this.ocs.send(message);
  }

  initial(avps: readonly AvpEntry[] = [], peer?: TestPeer): Promise<ReceivedAnswer> {
    return this.next('initial', avps, peer);
  }

  update(avps: readonly AvpEntry[] = [], peer?: TestPeer): Promise<ReceivedAnswer> {
    return this.next('update', avps, peer);
  }

  terminate(avps: readonly AvpEntry[] = [], peer?: TestPeer): Promise<ReceivedAnswer> {
    return this.next('termination', avps, peer);
  }
}

export type Shaped = [string, unknown];

/**
 * The answer's AVPs as `[name, value]` pairs in wire order, Grouped ones as nested pairs,
 * Unsigned64/Integer64 values as numbers (every value in these tests is far below 2^53).
 */
export function shape(answer: ReceivedAnswer | DecodedAvp[]): Shaped[] {
  const tree = Array.isArray(answer) ? answer : answer.tree;
  return tree.map((a): Shaped => {
    const name = a.name ?? `avp-${a.vendorId}-${a.code}`;
    if (Array.isArray(a.value)) return [name, shape(a.value)];
    if (typeof a.value === 'bigint') return [name, Number(a.value)];
    return [name, a.value];
  });
}

/** The first AVPs of every CCA (RFC 4006 §3.2), as `shape` gives them. */
export function ccaHead(
  sessionId: string,
  resultCode: number,
  type: RequestTypeName,
  number: number,
): Shaped[] {
  return [
    ['Session-Id', sessionId],
    ['Origin-Host', OCS_ORIGIN_HOST],
    ['Origin-Realm', OCS_ORIGIN_REALM],
    ['Result-Code', resultCode],
    ['Auth-Application-Id', CREDIT_CONTROL],
    ['CC-Request-Type', REQUEST_TYPE[type]],
    ['CC-Request-Number', number],
  ];
}

/** The Result-Code of each MSCC of an answer, in order. */
export function msccResults(answer: ReceivedAnswer): unknown[] {
  return answer
    .all('Multiple-Services-Credit-Control')
    .map((m) => (Array.isArray(m) ? m.find((a) => a.name === 'Result-Code')?.value : undefined));
}
