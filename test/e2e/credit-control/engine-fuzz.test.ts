/**
 * The charging engine under requests that are well framed but wrong in what they say, sent to
 * the whole server (the charging service, a real Redis, Diameter over loopback): AVPs of the
 * wrong length or type, values out of their enumeration, huge and zero units, CC-Request-Number
 * out of order and near 2^32, missing and repeated Subscription-Id, unknown rating groups,
 * 1,000 MSCCs, random Requested-Action and CC-Money, Service-Context-Ids mixed within a
 * session, CCR-U/T of unknown sessions and retransmissions of earlier requests, for accounts
 * that are prepaid, short of money, below their threshold, postpaid, blocked, lost, expired,
 * unknown and in a VPN group.
 *
 * What must hold: every request gets exactly one answer (RFC 6733 §7) whose Result-Code its
 * kind allows (RFC 4006 §9), never 5012 DIAMETER_UNABLE_TO_COMPLY, which means the engine
 * failed, and with Failed-AVP where RFC 6733 §7.1.5 requires one; a retransmission of a request answered 2001 gets that answer again (RFC 4006 §5.1);
 * once every session is terminated only a session that cannot be (its number reached 2^32 - 1)
 * holds a reservation, and after Tcc supervision none does; every account's money is conserved
 * (each bucket's available + reserved + spent is what provisioning and refunds put in, the
 * ledger replays to it and never goes below zero); and the server still serves a fresh CCR-I.
 *
 * Seeded: FUZZ_SEED plans the same requests on every run and a failure names it with each
 * failing request; FUZZ_RUNS sets how many requests are planned (default 3,000).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_AMOUNT,
  MONEY,
  type AccountView,
  type BucketView,
  type LedgerOp,
} from '../../../src/balance/index.js';
import { encodeMessage, type AvpEntry, type AvpValue } from '../../../src/diameter/avp-tree.js';
import { decodeMessage } from '../../../src/diameter/decode.js';
import { defaultDictionary, type AvpDefinition } from '../../../src/diameter/dictionary.js';
import type { Avp } from '../../../src/diameter/message.js';
import { isProtocolError } from '../../../src/errors/result-codes.js';
import { answerView, member, type ReceivedAnswer, type TestPeer } from '../../support/diameter-peer.js';
import {
  CCR,
  CONTEXT,
  CREDIT_CONTROL,
  CcSession,
  MiB,
  ccr,
  imsInformation,
  mscc,
  msccResults,
  octets,
  shape,
  startOcs,
  type OcsFixture,
  type Shaped,
} from '../../support/ocs-fixture.js';
import { numbering, provisionAt } from '../vpn/support.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x4f43_5346);
const DEFAULT_REQUESTS = 3000;
const REQUESTS = Number(process.env.FUZZ_RUNS ?? DEFAULT_REQUESTS);
/** Actions planned together; their sessions run side by side, each session's requests in order. */
const BATCH = 32;
const U32_MAX = 0xffff_ffff;
const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What the engine may answer a well-formed CCR, by what it finds (RFC 4006 §9, RFC 6733 §7.1). */
const ENGINE = [2001, 4010, 4011, 4012, 5002, 5004, 5005, 5030, 5031];
/** Ledger operations that bring amounts in; every other operation only moves them between states. */
const CREATING: readonly LedgerOp[] = ['set', 'topup', 'refund', 'reset'];

const dict = defaultDictionary();
const FAILED_AVP = dict.avpByName('Failed-AVP').code;

// ---------------------------------------------------------------------------------------------
// The plan: plain data, so that a failing request can be told from its action

type AccountName =
  | 'rich'
  | 'short'
  | 'threshold'
  | 'voiceOnly'
  | 'postpaid'
  | 'blocked'
  | 'lost'
  | 'expired'
  | 'vpnCaller'
  | 'vpnCallee'
  | 'unknown';
type ContextName = 'data' | 'voice' | 'sms' | 'dataLong' | 'unknown' | 'empty' | 'garbage';
type Sub = 'one' | 'none' | 'twice' | 'unknownFirst' | 'sip' | 'imsiFirst' | 'notANumber' | 'another';
type Called = 'none' | 'offNet' | 'shortInGroup' | 'shortNoGroup' | 'empty' | 'self';
type UnitName =
  'CC-Time' | 'CC-Total-Octets' | 'CC-Input-Octets' | 'CC-Output-Octets' | 'CC-Service-Specific-Units';
type Units = readonly (readonly [UnitName, number | bigint])[];
interface Money {
  digits: bigint;
  exponent: number | undefined;
  currency: number | undefined;
}
interface MsccPlan {
  rg: number | undefined;
  rsu: Units | Money | undefined;
  usu: Units[];
  reason: number | undefined;
  serviceId: number | undefined;
}
type BreakageKind =
  'length' | 'utf8' | 'enum' | 'unknownMandatory' | 'unknownPlain' | 'duplicate' | 'missing' | 'garbageGroup';
interface Breakage {
  kind: BreakageKind;
  pick: number;
}
type NumberChoice = 'next' | 'same' | 'older' | 'skip' | 'max' | 'belowMax';

type Action =
  | {
      kind: 'open';
      account: AccountName;
      context: ContextName;
      sub: Sub;
      called: Called;
      msccs: MsccPlan[];
      command: MsccPlan;
      breakage: Breakage | undefined;
      repeat: boolean;
    }
  | {
      kind: 'thousand';
      account: AccountName;
      voice: boolean;
      rgs: 'distinct' | 'known' | 'random';
      pick: number;
    }
  | {
      kind: 'next';
      session: number;
      /** Continue a session that its last answer left open, when there is one. */
      live: boolean;
      type: 'update' | 'termination';
      number: NumberChoice;
      pick: number;
      sub: 'same' | 'none' | 'another';
      context: ContextName | 'same';
      msccs: MsccPlan[];
      command: MsccPlan;
      breakage: Breakage | undefined;
      repeat: boolean;
    }
  | {
      kind: 'stray';
      type: 'update' | 'termination';
      account: AccountName;
      sub: 'one' | 'none';
      msccs: MsccPlan[];
    }
  | {
      kind: 'event';
      account: AccountName;
      context: ContextName;
      sub: Sub;
      called: Called;
      action: number | undefined;
      number: number;
      services: MsccPlan[];
      command: MsccPlan;
      breakage: Breakage | undefined;
      repeat: boolean;
    }
  | { kind: 'retransmit'; which: number; flag: boolean }
  | { kind: 'tick'; seconds: number };

const weighted = <T>(...choices: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
const one = <T>(value: T) => fc.constant(value);

/** Mostly accounts that can be charged, so that requests reach the balance scripts. */
const account = weighted<AccountName>(
  [6, one('rich')],
  [4, one('short')],
  [2, fc.constantFrom('threshold', 'voiceOnly', 'vpnCallee')],
  [4, one('vpnCaller')],
  [2, fc.constantFrom('postpaid', 'blocked', 'lost', 'expired', 'unknown')],
);
const context = weighted<ContextName>(
  [24, fc.constantFrom('data', 'voice', 'sms')],
  [1, one('dataLong')],
  [1, fc.constantFrom('unknown', 'empty', 'garbage')],
);
const sub = weighted<Sub>(
  [30, one('one')],
  [3, fc.constantFrom('none', 'twice', 'unknownFirst', 'sip', 'imsiFirst', 'notANumber', 'another')],
);
const called = fc.constantFrom<Called>(
  'none',
  'offNet',
  'offNet',
  'shortInGroup',
  'shortNoGroup',
  'empty',
  'self',
);

const u32 = weighted<number>(
  [20, fc.integer({ min: 0, max: 900 })],
  [2, one(0)],
  [3, fc.constantFrom(0, 1, 59, 60, 61, 3600, U32_MAX - 1, U32_MAX)],
  [1, fc.integer({ min: 0, max: U32_MAX })],
);
const u64 = weighted<bigint>(
  [20, fc.bigInt({ min: 0n, max: 5n * BigInt(MiB) })],
  [2, one(0n)],
  [3, fc.constantFrom(0n, 1n, BigInt(MiB), SAFE, SAFE + 1n, 999_999_999_999_999n, 10n ** 15n, U64_MAX)],
  [1, fc.bigInt({ min: 0n, max: U64_MAX })],
);
const unitEntry = weighted<readonly [UnitName, number | bigint]>(
  [1, fc.tuple(one<UnitName>('CC-Time'), u32)],
  [1, fc.tuple(fc.constantFrom<UnitName>('CC-Total-Octets', 'CC-Input-Octets', 'CC-Output-Octets'), u64)],
  [1, fc.tuple(one<UnitName>('CC-Service-Specific-Units'), u64)],
);
const units: fc.Arbitrary<Units> = fc.array(unitEntry, { maxLength: 3 });
const money: fc.Arbitrary<Money> = fc.record({
  digits: weighted<bigint>(
    [4, fc.bigInt({ min: -10_000n, max: 1_000_000n })],
    [2, fc.constantFrom(0n, 1n, -1n, 10n ** 15n, 5n * 10n ** 15n, SAFE, I64_MAX, I64_MIN)],
    [1, fc.bigInt({ min: I64_MIN, max: I64_MAX })],
  ),
  exponent: fc.option(
    weighted<number>(
      [4, fc.integer({ min: -4, max: 4 })],
      [1, fc.constantFrom(I32_MIN, I32_MAX, -19, 19, -30, 30, -400, 400)],
    ),
    { nil: undefined },
  ),
  currency: fc.option(fc.constantFrom(156, 978, 0, U32_MAX), { nil: undefined }),
});
const ratingGroup = weighted<number | undefined>(
  [4, one(10)],
  [2, one(20)],
  [2, one(100)],
  [1, one(undefined)],
  [1, fc.constantFrom(0, 1, U32_MAX)],
  [1, fc.integer({ min: 0, max: U32_MAX })],
);
/** Reporting-Reason (TS 32.299 §7.2.175): 0-4, rarely a value outside the enumeration. */
const reason = weighted<number | undefined>(
  [10, one(undefined)],
  [20, fc.integer({ min: 0, max: 4 })],
  [1, fc.constantFrom(5, 99, -1)],
);
const msccPlan = (withUsage: boolean): fc.Arbitrary<MsccPlan> =>
  fc.record({
    rg: ratingGroup,
    rsu: weighted<Units | Money | undefined>([3, units], [1, one(undefined)], [1, money]),
    usu: withUsage
      ? fc.array(units, { maxLength: 2 })
      : weighted<Units[]>([6, one([])], [1, fc.array(units, { maxLength: 1 })]),
    reason,
    serviceId: weighted<number | undefined>([3, one(undefined)], [1, fc.integer({ min: 0, max: U32_MAX })]),
  });
const msccs = (withUsage: boolean) =>
  weighted<MsccPlan[]>([6, fc.array(msccPlan(withUsage), { minLength: 1, maxLength: 3 })], [1, one([])]);
/** One request in six has one AVP made wrong. */
const breakage = weighted<Breakage | undefined>(
  [5, one(undefined)],
  [
    1,
    fc.record({
      kind: fc.constantFrom<BreakageKind>(
        'length',
        'length',
        'utf8',
        'enum',
        'unknownMandatory',
        'unknownPlain',
        'duplicate',
        'missing',
        'garbageGroup',
      ),
      pick: fc.nat(),
    }),
  ],
);
const requestedAction = weighted<number | undefined>(
  [2, one(undefined)],
  [8, fc.integer({ min: 0, max: 3 })],
  [1, fc.constantFrom(4, -1, 99, I32_MAX, I32_MIN)],
);
/** Now and then a request is sent twice at once, the copy with the T flag (RFC 6733 §3). */
const repeat = weighted<boolean>([9, one(false)], [1, one(true)]);
const numberChoice = weighted<NumberChoice>(
  [40, one('next')],
  [4, one('same')],
  [4, one('older')],
  [3, one('skip')],
  [1, one('max')],
  [2, one('belowMax')],
);

const action: fc.Arbitrary<Action> = weighted<Action>(
  [
    200,
    fc.record({
      kind: one('open' as const),
      account,
      context,
      sub,
      called,
      msccs: msccs(false),
      command: msccPlan(false),
      breakage,
      repeat,
    }),
  ],
  [
    340,
    fc.record({
      kind: one('next' as const),
      session: fc.nat(),
      live: weighted<boolean>([4, one(true)], [1, one(false)]),
      type: weighted<'update' | 'termination'>([4, one('update')], [1, one('termination')]),
      number: numberChoice,
      pick: fc.nat(),
      sub: weighted<'same' | 'none' | 'another'>([10, one('same')], [1, fc.constantFrom('none', 'another')]),
      context: weighted<ContextName | 'same'>([10, one('same')], [1, context]),
      msccs: msccs(true),
      command: msccPlan(true),
      breakage,
      repeat,
    }),
  ],
  [
    40,
    fc.record({
      kind: one('stray' as const),
      type: fc.constantFrom('update' as const, 'termination' as const),
      account,
      sub: fc.constantFrom('one' as const, 'none' as const),
      msccs: msccs(true),
    }),
  ],
  [
    200,
    fc.record({
      kind: one('event' as const),
      account,
      context,
      sub,
      called,
      action: requestedAction,
      number: weighted<number>([8, one(0)], [1, fc.constantFrom(1, U32_MAX)]),
      services: weighted<MsccPlan[]>(
        [3, fc.array(msccPlan(false), { minLength: 1, maxLength: 3 })],
        [2, one([])],
      ),
      command: msccPlan(false),
      breakage,
      repeat,
    }),
  ],
  [100, fc.record({ kind: one('retransmit' as const), which: fc.nat(), flag: fc.boolean() })],
  [20, fc.record({ kind: one('tick' as const), seconds: fc.integer({ min: 1, max: 30 }) })],
  [
    2,
    fc.record({
      kind: one('thousand' as const),
      account: fc.constantFrom<AccountName>('rich', 'short', 'postpaid', 'vpnCaller'),
      voice: weighted<boolean>([4, one(false)], [1, one(true)]),
      rgs: fc.constantFrom('distinct' as const, 'known' as const, 'random' as const),
      pick: fc.nat(),
    }),
  ],
);

// ---------------------------------------------------------------------------------------------
// From a planned action to the AVPs of a CCR

const CONTEXT_IDS: Record<ContextName, string> = {
  data: CONTEXT.data,
  voice: CONTEXT.voice,
  sms: CONTEXT.sms,
  dataLong: '10.460.8.32251@3gpp.org',
  unknown: '32299@3gpp.org',
  empty: '',
  garbage: 'not a context',
};
const charged = (c: ContextName) => c === 'data' || c === 'voice' || c === 'sms' || c === 'dataLong';

/** The MSISDN of no account. */
const NOBODY = '8613700000000';

const subscriptionId = (type: number, data: string): AvpEntry => [
  'Subscription-Id',
  [
    ['Subscription-Id-Type', type],
    ['Subscription-Id-Data', data],
  ],
];

/** Subscription-Ids (RFC 4006 §8.46: E.164 0, IMSI 1, SIP URI 2) and the account they resolve to. */
function subscriptionOf(
  choice: Sub,
  msisdn: string,
  another: string,
): { avps: AvpEntry[]; served: string | undefined } {
  switch (choice) {
    case 'one':
      return { avps: [subscriptionId(0, msisdn)], served: msisdn };
    case 'none':
      return { avps: [], served: undefined };
    case 'twice':
      return { avps: [subscriptionId(0, msisdn), subscriptionId(0, msisdn)], served: msisdn };
    case 'unknownFirst':
      return { avps: [subscriptionId(0, NOBODY), subscriptionId(0, msisdn)], served: NOBODY };
    case 'sip':
      return { avps: [subscriptionId(2, `sip:+${msisdn}@ims.test.example;user=phone`)], served: msisdn };
    case 'imsiFirst':
      // IMSI is not an enabled identity (settings.subscriptionIdTypes): the E.164 after it serves.
      return { avps: [subscriptionId(1, '460001234567890'), subscriptionId(0, msisdn)], served: msisdn };
    case 'notANumber':
      return { avps: [subscriptionId(0, 'not-a-number')], served: NOBODY };
    case 'another':
      return { avps: [subscriptionId(0, another)], served: another };
  }
}

function unitAvps(u: Units | Money): AvpEntry[] {
  if (!Array.isArray(u)) {
    const m = u as Money;
    const value: AvpEntry[] = [['Value-Digits', m.digits]];
    if (m.exponent !== undefined) value.push(['Exponent', m.exponent]);
    const cc: AvpEntry[] = [['Unit-Value', value]];
    if (m.currency !== undefined) cc.push(['Currency-Code', m.currency]);
    return [['CC-Money', cc]];
  }
  return (u as Units).map(([name, v]): AvpEntry => [name, v]);
}

function msccAvp(m: MsccPlan): AvpEntry {
  const inner: AvpEntry[] = [];
  if (m.rsu !== undefined) inner.push(['Requested-Service-Unit', unitAvps(m.rsu)]);
  for (const u of m.usu) inner.push(['Used-Service-Unit', unitAvps(u)]);
  if (m.serviceId !== undefined) inner.push(['Service-Identifier', m.serviceId]);
  if (m.rg !== undefined) inner.push(['Rating-Group', m.rg]);
  if (m.reason !== undefined) inner.push(['Reporting-Reason', m.reason]);
  return ['Multiple-Services-Credit-Control', inner];
}

/** The services of a request: its MSCCs, or without any, units at command level (RFC 4006 §5.1.1). */
function servicesAvps(list: MsccPlan[], command: MsccPlan): AvpEntry[] {
  if (list.length > 0) return list.map(msccAvp);
  const avps: AvpEntry[] = [];
  if (command.rsu !== undefined) avps.push(['Requested-Service-Unit', unitAvps(command.rsu)]);
  for (const u of command.usu) avps.push(['Used-Service-Unit', unitAvps(u)]);
  return avps;
}

function calledParty(c: Called, msisdn: string): string | undefined {
  switch (c) {
    case 'none':
      return undefined;
    case 'offNet':
      return 'tel:+8613800000000';
    case 'shortInGroup':
      return 'tel:6002';
    case 'shortNoGroup':
      return 'tel:6099';
    case 'empty':
      return '';
    case 'self':
      return `tel:+${msisdn}`;
  }
}

function copyTree(avps: readonly AvpEntry[]): AvpEntry[] {
  return avps.map((e): AvpEntry => {
    if (!Array.isArray(e)) return e;
    const [name, value] = e as readonly [string, AvpValue];
    return [name, Array.isArray(value) ? copyTree(value) : value];
  });
}

interface Leaf {
  parent: AvpEntry[];
  index: number;
  def: AvpDefinition;
}

/** Every named AVP of the tree with where it sits, Grouped ones before their members. */
function leaves(avps: AvpEntry[], out: Leaf[] = []): Leaf[] {
  avps.forEach((entry, index) => {
    if (!Array.isArray(entry)) return;
    const [name, value] = entry as readonly [string, AvpValue];
    const def = dict.avpByName(name);
    out.push({ parent: avps, index, def });
    if (def.type === 'Grouped') leaves(value as AvpEntry[], out);
  });
  return out;
}

const raw = (def: AvpDefinition, data: Buffer): Avp => ({
  code: def.code,
  vendorId: def.vendorId,
  flags: (def.vendorId ? 0x80 : 0) | (def.mandatory ? 0x40 : 0),
  data,
});

const FIXED_SIZE: Record<string, number> = {
  Integer32: 4,
  Unsigned32: 4,
  Enumerated: 4,
  Integer64: 8,
  Unsigned64: 8,
};
const CCR_REQUIRED = [
  'Session-Id',
  'Origin-Host',
  'Origin-Realm',
  'Destination-Realm',
  'Auth-Application-Id',
  'Service-Context-Id',
  'CC-Request-Type',
  'CC-Request-Number',
];

/**
 * Makes one AVP of the request wrong (in place) and returns the Result-Code the peer layer
 * answers it with (RFC 6733 §7.5: 5014 wrong length, 5004 bad value, 5001 unknown with the M
 * bit, 5009 repeated, 5005 missing), or undefined when nothing was applicable.
 */
function breakRequest(avps: AvpEntry[], b: Breakage): number[] | undefined {
  // The members of a session's requests are shared: the one request broken gets copies.
  avps.splice(0, avps.length, ...copyTree(avps));
  const all = leaves(avps);
  const pick = <T>(list: T[]): T | undefined => list[b.pick % Math.max(list.length, 1)];
  switch (b.kind) {
    case 'length': {
      const leaf = pick(all.filter((l) => FIXED_SIZE[l.def.type] !== undefined));
      if (!leaf) return undefined;
      const size = FIXED_SIZE[leaf.def.type]!;
      const wrong = [0, 2, 3, 5, 12, size === 4 ? 8 : 4].filter((n) => n !== size);
      leaf.parent[leaf.index] = raw(leaf.def, Buffer.alloc(wrong[b.pick % wrong.length]!, 1));
      return [5014];
    }
    case 'utf8': {
      const leaf = pick(all.filter((l) => l.def.type === 'UTF8String' && l.def.name !== 'Session-Id'));
      if (!leaf) return undefined;
      leaf.parent[leaf.index] = raw(leaf.def, Buffer.from([0x36, 0xc3, 0x28, 0xff]));
      return [5004];
    }
    case 'enum': {
      const leaf = pick(all.filter((l) => l.def.type === 'Enumerated'));
      if (!leaf) return undefined;
      const outside = [-1, 7, 99, I32_MAX, I32_MIN].filter((v) => !leaf.def.namesByValue.has(v));
      leaf.parent[leaf.index] = [leaf.def.name, outside[b.pick % outside.length]!];
      return [5004];
    }
    case 'unknownMandatory':
    case 'unknownPlain': {
      const groups = [
        avps,
        ...all
          .filter((l) => l.def.name === 'Multiple-Services-Credit-Control')
          .map((l) => (l.parent[l.index] as readonly [string, AvpEntry[]])[1]),
      ];
      const into = groups[b.pick % groups.length]!;
      const mandatory = b.kind === 'unknownMandatory';
      into.push({
        code: 0x00f0_0000 + (b.pick % 1000),
        vendorId: 0,
        flags: mandatory ? 0x40 : 0,
        data: Buffer.alloc(4),
      });
      return mandatory ? [5001] : undefined;
    }
    case 'duplicate': {
      const leaf = pick(all.filter((l) => l.parent === avps && CCR_REQUIRED.includes(l.def.name)));
      if (!leaf) return undefined;
      avps.push(leaf.parent[leaf.index]!);
      return [5009];
    }
    case 'missing': {
      const leaf = pick(all.filter((l) => l.parent === avps && CCR_REQUIRED.includes(l.def.name)));
      if (!leaf) return undefined;
      avps.splice(leaf.index, 1);
      return [5005];
    }
    case 'garbageGroup': {
      const leaf = pick(all.filter((l) => l.def.type === 'Grouped'));
      if (!leaf) return undefined;
      // Fewer bytes than an AVP header: the group's members cannot be framed (RFC 6733 §4.4).
      leaf.parent[leaf.index] = raw(leaf.def, Buffer.from([0, 0, 1, 0xa7, 0x40]));
      return [5014];
    }
  }
}

/**
 * A value that may be refused 5004 before anything else is looked at: by the peer layer (an
 * Enumerated out of range, an Unsigned64 past 2^53) or, `units` true, by charging (units that
 * add up past the largest amount the balance store keeps).
 */
function invalidValue(avps: AvpEntry[], units: boolean): boolean {
  let total = 0n;
  const refused = leaves(avps).some(({ parent, index, def }) => {
    const value = (parent[index] as readonly [string, AvpValue])[1];
    if (def.type === 'Enumerated') return !def.namesByValue.has(value as number);
    if (def.type === 'Unsigned64' || def.name === 'CC-Time') total += BigInt(value as bigint | number);
    return def.type === 'Unsigned64' && BigInt(value as bigint) > SAFE;
  });
  return refused || (units && total > BigInt(MAX_AMOUNT));
}

// ---------------------------------------------------------------------------------------------
// The run

interface Sent {
  label: string;
  avps: AvpEntry[];
  /** Result-Codes this request may be answered with. */
  expected: readonly number[];
  sessionId: string | undefined;
}

interface Session {
  id: string;
  context: ContextName;
  msisdn: string;
  sub: AvpEntry[];
  extra: AvpEntry[];
  maxSent: number;
  lastSent: number;
  /** Opened with 2001 and not terminated with 2001. */
  live: boolean;
}

/** What the server logs at error level: a request it could not serve. */
interface ServerError {
  sessionId?: string;
  err?: { type?: string; message?: string; stack?: string };
}

interface Failure {
  what: string;
  sent: Sent;
  answer?: unknown;
}

let ocs: OcsFixture;
const msisdns = {} as Record<AccountName, string>;
/** Money each account was provisioned with. */
const opening = new Map<string, number>();

beforeAll(async () => {
  // A 1,000-MSCC request makes 1,000 script calls: on a loaded machine that may pass the default
  // store deadline, which is answered 5012 by design (test/slow/redis-stall.test.ts tests those).
  ocs = await startOcs({ env: { REDIS_COMMAND_TIMEOUT_MS: '10000' } });
  const specs: [AccountName, Parameters<OcsFixture['account']>[0]][] = [
    ['rich', { balance: 5_000_000 }],
    ['short', { balance: 3_000 }],
    ['threshold', { balance: 800, minThreshold: 500 }],
    ['voiceOnly', { balance: 100_000, tariff: 'voice-only' }],
    ['postpaid', { prepaid: false, balance: 0 }],
    ['blocked', { status: 'blocked', balance: 1_000 }],
    ['lost', { status: 'lost', balance: 1_000 }],
    ['expired', { validUntil: '2020-01-01', balance: 1_000 }],
  ];
  for (const [name, spec] of specs) {
    msisdns[name] = await ocs.account(spec);
    opening.set(msisdns[name], spec?.balance ?? 0);
  }
  const next = numbering(9001);
  msisdns.vpnCaller = next();
  msisdns.vpnCallee = next();
  msisdns.unknown = NOBODY;
  await provisionAt(
    ocs,
    `
vpn:
  packages:
    - id: fuzz-vpn
      monthlyFee: 0
      items: [intra-group-voice, intra-group-sms]
      smsPricePerMessage: 3
      levels:
        - { type: free, creditSeconds: 600, unitSeconds: 60 }
        - { type: payment, unitSeconds: 60, pricePerUnit: 7 }
`,
  );
  await provisionAt(
    ocs,
    `
accounts:
  - { msisdn: '${msisdns.vpnCaller}', prepaid: true, tariff: std, balance: 20000 }
  - { msisdn: '${msisdns.vpnCallee}', prepaid: true, tariff: std, balance: 20000 }
vpn:
  groups:
    - id: FUZZ
      name: fuzz group
      extensionLength: 4
      maxMembers: 10
      members:
        - { msisdn: '${msisdns.vpnCaller}', shortNumber: '6001', identity: belongs, display: short }
        - { msisdn: '${msisdns.vpnCallee}', shortNumber: '6002', identity: belongs, display: short }
  activations:
    - { msisdn: '${msisdns.vpnCaller}', package: fuzz-vpn, when: immediate }
`,
  );
  opening.set(msisdns.vpnCaller, 20_000);
  opening.set(msisdns.vpnCallee, 20_000);
}, 30_000);
afterAll(() => ocs?.close());

/** JSON of a request or answer that a failure report can show: bigints and bytes readable, long lists cut. */
function printable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v && typeof v === 'object' && 'data' in v && 'code' in v) {
      const a = v as Avp;
      return { code: a.code, flags: a.flags, data: Buffer.from(a.data).toString('hex') };
    }
    if (Array.isArray(v) && v.length > 12) return [...v.slice(0, 12), `... ${v.length - 12} more`];
    return v;
  });
}

/**
 * The account's ledger, replayed entry by entry: it sums to the account, never below zero; only
 * provisioning, top-ups, refunds and free-credit resets bring amounts in (every other operation
 * moves them between available, reserved and spent); its refunds are those the answers reported.
 */
async function expectLedgerReplays(name: string, view: AccountView, refunded: number): Promise<void> {
  const ledger = await ocs.server.store.readLedger(view.msisdn, { count: 1_000_000 });
  // The stream is capped (ledgerMaxLen): only a whole one replays; a long FUZZ_RUNS may trim it.
  const whole = ledger.length === 0 || ledger[0]!.opId === 'provision';
  expect(whole || REQUESTS > DEFAULT_REQUESTS, `${name}: the ledger kept from provisioning on`).toBe(true);
  if (!whole) return;
  const sums: Record<string, BucketView> = {};
  for (const e of ledger) {
    for (const [bucket, d] of Object.entries(e.deltas)) {
      const s = (sums[bucket] ??= { available: 0, reserved: 0, spent: 0 });
      s.available += d.available;
      s.reserved += d.reserved;
      s.spent += d.spent;
      const at = `${name} ${bucket} after ${e.op} ${e.opId}`;
      expect(Math.min(s.available, s.reserved), at).toBeGreaterThanOrEqual(0);
      if (!CREATING.includes(e.op)) expect(d.available + d.reserved + d.spent, `${at} moves`).toBe(0);
    }
  }
  for (const [bucket, b] of Object.entries(view.buckets)) {
    expect(b, `${name} ${bucket}`).toEqual(sums[bucket] ?? { available: 0, reserved: 0, spent: 0 });
  }
  const ledgerRefunds = ledger
    .filter((e) => e.op === 'refund')
    .reduce((sum, e) => sum + (e.deltas[MONEY]?.available ?? 0), 0);
  expect(ledgerRefunds, `${name}: refunds in the ledger are those answered`).toBe(refunded);
}

const ANSWER_WAIT_MS = 5000;

/**
 * CCRs on the fixture's client, their answers matched here by hop-by-hop id (RFC 6733 §3),
 * Failed-AVP kept apart and undecoded: it holds the malformed AVP it reports (§7.5). Answers
 * that no request waits for are counted.
 */
class Exchange {
  private readonly waiting = new Map<number, (frame: Buffer) => void>();
  unmatched = 0;

  constructor(private readonly peer: TestPeer) {
    peer.onAnswerFrame = (frame) => {
      const hopByHop = frame.readUInt32BE(12);
      const waiter = this.waiting.get(hopByHop);
      if (!waiter) return void this.unmatched++;
      this.waiting.delete(hopByHop);
      waiter(Buffer.from(frame));
    };
  }

  request(
    avps: readonly AvpEntry[],
    retransmitted: boolean,
  ): Promise<{ view: ReceivedAnswer; failedAvp: boolean }> {
    const hopByHop = this.peer.nextHopByHop();
    const bytes = encodeMessage(dict, {
      commandCode: CCR,
      applicationId: CREDIT_CONTROL,
      request: true,
      proxiable: true,
      retransmitted,
      hopByHop,
      endToEnd: hopByHop,
      avps,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(hopByHop);
        reject(new Error(`no answer in ${ANSWER_WAIT_MS} ms`));
      }, ANSWER_WAIT_MS);
      this.waiting.set(hopByHop, (frame) => {
        clearTimeout(timer);
        try {
          const message = decodeMessage(frame);
          const failed = message.avps.filter((a) => a.code === FAILED_AVP && a.vendorId === 0);
          const rest = message.avps.filter((a) => !failed.includes(a));
          resolve({ view: answerView(dict, { ...message, avps: rest }), failedAvp: failed.length > 0 });
        } catch (err) {
          reject(new Error(`malformed answer: ${(err as Error).message}`));
        }
      });
      this.peer.write(bytes);
    });
  }
}

describe('the charging engine under fuzzed CCRs', () => {
  it(
    `answers ${REQUESTS} wrong requests each with a specific Result-Code, never 5012, and conserves money (seed ${SEED})`,
    async () => {
      const plan = fc.sample(action, { seed: SEED, numRuns: REQUESTS });
      const failures: Failure[] = [];
      const codes = new Map<number, number>();
      const sessions: Session[] = [];
      const history: Sent[] = [];
      /** Refunds answered 2001, by Session-Id and CC-Request-Number: money a peer put in. */
      const refunds = new Map<string, { msisdn: string; amount: number }>();
      let sentCount = 0;
      /** Requests of the kinds a run must have had, to have tried what it claims. */
      const counts = { thousandMscc: 0, refunded: 0, repeatsCompared: 0, retransmitted: 0, stuckAt2To32: 0 };
      let sessionCount = 0;
      const exchange = new Exchange(ocs.peer);

      const otherThan = (msisdn: string) => (msisdn === msisdns.rich ? msisdns.short : msisdns.rich);
      const newId = (label: string) => `pcef.test.example;fuzz;${++sessionCount};${label}`;

      function check(sent: Sent, answer: ReceivedAnswer): void {
        const rc = answer.get('Result-Code');
        codes.set(Number(rc), (codes.get(Number(rc)) ?? 0) + 1);
        const fail = (what: string) => void failures.push({ what, sent, answer: shape(answer) });
        if (typeof rc !== 'number') return fail('no Result-Code');
        if (rc === 5012) return fail('5012 UNABLE_TO_COMPLY');
        if (!sent.expected.includes(rc))
          fail(`Result-Code ${rc}, expected one of ${sent.expected.join(', ')}`);
        if (answer.errorBit !== isProtocolError(rc)) fail(`E bit ${answer.errorBit} with ${rc}`);
        if (answer.message.endToEnd !== answer.message.hopByHop) fail('End-to-End id not the request one');
        const sessionId = sent.avps.find((e) => Array.isArray(e) && e[0] === 'Session-Id');
        if (sessionId && answer.get('Session-Id') !== (sessionId as readonly [string, AvpValue])[1])
          fail('Session-Id not echoed');
        for (const m of msccResults(answer)) {
          if (m !== undefined && !ENGINE.includes(Number(m))) fail(`MSCC Result-Code ${String(m)}`);
        }
      }

      async function send(sent: Sent, retransmitted = false): Promise<ReceivedAnswer | undefined> {
        sentCount++;
        let answer: ReceivedAnswer;
        try {
          const received = await exchange.request(sent.avps, retransmitted);
          answer = received.view;
          const rc = Number(answer.get('Result-Code'));
          // RFC 6733 §7.1.5: these answers MUST name the offending AVP in Failed-AVP.
          if ([5001, 5004, 5005, 5009, 5014].includes(rc) && !received.failedAvp) {
            failures.push({ what: `${rc} without Failed-AVP`, sent, answer: shape(answer) });
          }
        } catch (err) {
          failures.push({ what: (err as Error).message, sent });
          return undefined;
        }
        check(sent, answer);
        return answer;
      }

      /** Sends; with `repeat`, sends it again flagged and expects the same answer when the first was 2001. */
      async function sendAndRepeat(sent: Sent, repeatIt: boolean): Promise<ReceivedAnswer | undefined> {
        const first = await send(sent);
        history.push(sent);
        if (!repeatIt || !first) return first;
        const again = await send(sent, true);
        if (!again || first.get('Result-Code') !== 2001) return first;
        counts.repeatsCompared++;
        if (printable(shape(again)) !== printable(shape(first))) {
          failures.push({
            what: 'retransmission answered differently',
            sent,
            answer: [shape(first), shape(again)],
          });
        }
        return first;
      }

      function withBreakage(
        avps: AvpEntry[],
        b: Breakage | undefined,
        expected: readonly number[],
      ): readonly number[] {
        if (b) {
          const codesForIt = breakRequest(avps, b);
          if (codesForIt) return invalidValue(avps, false) ? [...codesForIt, 5004] : codesForIt;
        }
        return invalidValue(avps, true) ? [...expected, 5004] : expected;
      }

      /** What a well-formed CCR-I or event is answered by the account it names, when that alone decides. */
      function expectedFor(
        c: ContextName,
        served: string | undefined,
        calledKind: Called,
      ): readonly number[] {
        if (!charged(c)) return [5031];
        if (served === undefined) return [5005];
        const shortNumber = calledKind === 'shortInGroup' || calledKind === 'shortNoGroup';
        if (served === NOBODY) return shortNumber ? [5030, 4010] : [5030];
        if ([msisdns.blocked, msisdns.lost, msisdns.expired].includes(served)) return [4010];
        return ENGINE;
      }

      const ims = (c: ContextName, msisdn: string, calledKind: Called, role: number): AvpEntry[] => {
        const to = calledParty(calledKind, msisdn);
        if (to === undefined || c === 'data' || c === 'dataLong') return [];
        return [imsInformation(`tel:+${msisdn}`, to, role)];
      };

      async function open(a: Extract<Action, { kind: 'open' }>): Promise<void> {
        const msisdn = msisdns[a.account];
        const s = subscriptionOf(a.sub, msisdn, otherThan(msisdn));
        const session: Session = {
          id: newId('i'),
          context: a.context,
          msisdn,
          sub: s.avps,
          extra: ims(a.context, msisdn, a.called, a.msccs.length % 2),
          maxSent: 0,
          lastSent: 0,
          live: false,
        };
        sessions.push(session);
        const avps = ccr({
          sessionId: session.id,
          context: CONTEXT_IDS[a.context],
          type: 'initial',
          number: 0,
          avps: [...s.avps, ...servicesAvps(a.msccs, a.command), ...session.extra],
        });
        const expected = withBreakage(avps, a.breakage, expectedFor(a.context, s.served, a.called));
        const answer = await sendAndRepeat(
          { label: `CCR-I of ${a.account}`, avps, expected, sessionId: session.id },
          a.repeat,
        );
        session.live = answer?.get('Result-Code') === 2001;
      }

      async function thousand(a: Extract<Action, { kind: 'thousand' }>): Promise<void> {
        counts.thousandMscc++;
        const msisdn = msisdns[a.account];
        const c: ContextName = a.voice ? 'voice' : 'data';
        const session: Session = {
          id: newId('k'),
          context: c,
          msisdn,
          sub: [subscriptionId(0, msisdn)],
          extra: [],
          maxSent: 0,
          lastSent: 0,
          live: false,
        };
        sessions.push(session);
        const rg = (i: number) =>
          a.rgs === 'distinct'
            ? i + 1
            : a.rgs === 'known'
              ? i % 2
                ? 10
                : 20
              : (a.pick * 7919 + i * 104_729) % U32_MAX;
        const list: AvpEntry[] = Array.from({ length: 1000 }, (_, i) => [
          'Multiple-Services-Credit-Control',
          [
            ['Requested-Service-Unit', [a.voice ? ['CC-Time', 60] : ['CC-Total-Octets', 1024]]],
            ['Rating-Group', rg(i)],
          ],
        ]);
        const avps = ccr({
          sessionId: session.id,
          context: CONTEXT_IDS[c],
          type: 'initial',
          number: 0,
          avps: [...session.sub, ...list],
        });
        const answer = await sendAndRepeat(
          {
            label: `CCR-I of ${a.account} with 1000 MSCCs (${a.rgs})`,
            avps,
            expected: ENGINE,
            sessionId: session.id,
          },
          false,
        );
        session.live = answer?.get('Result-Code') === 2001;
      }

      function numberFor(s: Session, choice: NumberChoice, pick: number): number {
        switch (choice) {
          case 'next':
            return Math.min(s.maxSent + 1, U32_MAX);
          case 'same':
            return s.lastSent;
          case 'older':
            return pick % (s.maxSent + 1);
          case 'skip':
            return Math.min(s.maxSent + 2 + (pick % 1000), U32_MAX);
          case 'max':
            return U32_MAX;
          case 'belowMax':
            return Math.min(Math.max(s.maxSent + 1, U32_MAX - 1 - (pick % 3)), U32_MAX);
        }
      }

      async function next(a: Extract<Action, { kind: 'next' }>, s: Session): Promise<void> {
        const number = numberFor(s, a.number, a.pick);
        s.maxSent = Math.max(s.maxSent, number);
        s.lastSent = number;
        const sub =
          a.sub === 'same' ? s.sub : a.sub === 'none' ? [] : [subscriptionId(0, otherThan(s.msisdn))];
        const c = a.context === 'same' ? s.context : a.context;
        const avps = ccr({
          sessionId: s.id,
          context: CONTEXT_IDS[c],
          type: a.type,
          number,
          avps: [...sub, ...servicesAvps(a.msccs, a.command), ...s.extra],
        });
        const expected = withBreakage(avps, a.breakage, charged(c) ? ENGINE : [5031]);
        const label = `${a.type === 'update' ? 'CCR-U' : 'CCR-T'} #${number} (${a.number}) of ${s.id}`;
        const answer = await sendAndRepeat({ label, avps, expected, sessionId: s.id }, a.repeat);
        if (a.type === 'termination' && answer?.get('Result-Code') === 2001) s.live = false;
      }

      async function stray(a: Extract<Action, { kind: 'stray' }>): Promise<void> {
        const msisdn = msisdns[a.account];
        const id = newId('never-opened');
        const avps = ccr({
          sessionId: id,
          context: CONTEXT.data,
          type: a.type,
          number: 1,
          avps: [...(a.sub === 'one' ? [subscriptionId(0, msisdn)] : []), ...a.msccs.map(msccAvp)],
        });
        // RFC 4006 §8.3: a CCR-U/T of a session that was never opened is DIAMETER_UNKNOWN_SESSION_ID.
        await sendAndRepeat(
          {
            label: `CCR-${a.type === 'update' ? 'U' : 'T'} of no session`,
            avps,
            expected: invalidValue(avps, true) ? [5002, 5004] : [5002],
            sessionId: id,
          },
          false,
        );
      }

      async function event(a: Extract<Action, { kind: 'event' }>): Promise<void> {
        const msisdn = msisdns[a.account];
        const s = subscriptionOf(a.sub, msisdn, otherThan(msisdn));
        const id = newId('e');
        const body: AvpEntry[] = [...s.avps];
        if (a.action !== undefined) body.push(['Requested-Action', a.action]);
        body.push(...servicesAvps(a.services, a.command), ...ims(a.context, msisdn, a.called, 0));
        const avps = ccr({
          sessionId: id,
          context: CONTEXT_IDS[a.context],
          type: 'event',
          number: a.number,
          avps: body,
        });
        const expected = withBreakage(avps, a.breakage, expectedFor(a.context, s.served, a.called));
        const answer = await sendAndRepeat(
          { label: `CCR-E action ${String(a.action)} of ${a.account}`, avps, expected, sessionId: id },
          a.repeat,
        );
        if (a.action === 1 && answer?.get('Result-Code') === 2001 && s.served) {
          const value = member(member(answer.get('Cost-Information'), 'Unit-Value'), 'Value-Digits');
          const amount = Number(value ?? 0);
          if (amount > 0) refunds.set(`${id}#${a.number}`, { msisdn: s.served, amount });
          if (amount > 0) counts.refunded++;
        }
      }

      // Batches: every batch's sessions run side by side, the requests of one session in order.
      for (let at = 0; at < plan.length; at += BATCH) {
        const chains = new Map<string, (() => Promise<void>)[]>();
        const chain = (key: string, step: () => Promise<void>) => {
          const list = chains.get(key) ?? [];
          list.push(step);
          chains.set(key, list);
        };
        const earlier = history.length;
        const pool = sessions.length;
        const live = sessions.filter((s) => s.live);
        for (const a of plan.slice(at, at + BATCH)) {
          switch (a.kind) {
            case 'tick':
              ocs.clock.advance(a.seconds);
              break;
            case 'open':
              chain(`open${at}-${chains.size}`, () => open(a));
              break;
            case 'thousand':
              chain(`thousand${at}-${chains.size}`, () => thousand(a));
              break;
            case 'stray':
              chain(`stray${at}-${chains.size}`, () => stray(a));
              break;
            case 'event':
              chain(`event${at}-${chains.size}`, () => event(a));
              break;
            case 'next': {
              if (pool === 0) break;
              const s =
                a.live && live.length > 0 ? live[a.session % live.length]! : sessions[a.session % pool]!;
              chain(s.id, () => next(a, s));
              break;
            }
            case 'retransmit': {
              if (earlier === 0) break;
              const sent = history[a.which % earlier]!;
              chain(sent.sessionId ?? `lost${at}-${chains.size}`, async () => {
                counts.retransmitted++;
                await send({ ...sent, label: `retransmission of ${sent.label}` }, a.flag);
              });
              break;
            }
          }
        }
        await Promise.all(
          [...chains.values()].map(async (steps) => {
            for (const step of steps) await step();
          }),
        );
      }

      // Every session terminated, BATCH at a time; only one whose number reached 2^32 - 1 cannot be.
      const stuck = new Set<string>();
      const toClose = sessions.filter((s) => charged(s.context));
      for (let at = 0; at < toClose.length; at += BATCH) {
        await Promise.all(
          toClose.slice(at, at + BATCH).map(async (s) => {
            if (s.maxSent === U32_MAX) stuck.add(s.id);
            const number = Math.min(s.maxSent + 1, U32_MAX);
            const avps = ccr({
              sessionId: s.id,
              context: CONTEXT_IDS[s.context],
              type: 'termination',
              number,
              avps: [...s.sub, ...s.extra],
            });
            await send({
              label: `final CCR-T #${number} of ${s.id}`,
              avps,
              expected: stuck.has(s.id) ? ENGINE : [2001, 5002],
              sessionId: s.id,
            });
          }),
        );
      }
      counts.stuckAt2To32 = stuck.size;
      for (const m of new Set(Object.values(msisdns))) {
        for (const r of await ocs.server.store.listReservations(m)) {
          if (!stuck.has(r.sessionId))
            failures.push({
              what: `reservation left after CCR-T: ${printable(r)}`,
              sent: { label: m, avps: [], expected: [], sessionId: r.sessionId },
            });
        }
      }

      // Tcc supervision returns what the stuck sessions hold (RFC 4006 §7).
      ocs.clock.advance(2 * 3600);
      await ocs.server.supervisor.supervise(1000);

      // One example of each kind of wrong answer, by what was wrong and why: the error the server
      // logged for the session (where it was thrown), else the answer's Error-Message.
      const logged = ocs.logs.filter((l) => l.level >= 50) as ServerError[];
      const thrown = (l: ServerError) =>
        `${l.err?.type}: ${l.err?.message} at ${(l.err?.stack ?? '').split('\n    at ').slice(1, 4).join(' < ')}`;
      const why = (f: Failure) => {
        const error = logged.find((l) => l.sessionId === f.sent.sessionId);
        if (error) return thrown(error);
        return Array.isArray(f.answer)
          ? (f.answer as Shaped[]).find(([n]) => n === 'Error-Message')?.[1]
          : '';
      };
      const kinds = new Map<string, { first: Failure; count: number }>();
      for (const f of failures) {
        const key = `${f.what} / ${String(why(f))}`;
        const kind = kinds.get(key) ?? { first: f, count: 0 };
        kind.count++;
        kinds.set(key, kind);
      }
      const report = [...kinds]
        .map(
          ([key, { first, count }]) =>
            `- ${key} (${count}x), e.g. ${first.sent.label}\n  request: ${printable(first.sent.avps)}\n  answer: ${printable(first.answer)}`,
        )
        .join('\n');
      expect(failures.length, `seed ${SEED} (FUZZ_SEED), ${failures.length} wrong answers:\n${report}`).toBe(
        0,
      );
      expect(logged.map(thrown), `seed ${SEED}: server errors`).toEqual([]);
      expect(exchange.unmatched, 'answers no request waited for').toBe(0);
      expect(sentCount).toBeGreaterThanOrEqual(REQUESTS * 0.9);
      // The run reached every layer: the peer's checks, the engine's refusals and its grants.
      if (REQUESTS >= DEFAULT_REQUESTS) {
        const seen = printable(Object.fromEntries(codes));
        for (const code of [2001, 4010, 4011, 4012, 5001, 5002, 5004, 5005, 5009, 5014, 5030, 5031]) {
          expect(codes.get(code) ?? 0, `answers ${code} among ${seen}`).toBeGreaterThan(5);
        }
        for (const [kind, n] of Object.entries(counts))
          expect(n, `${kind} among ${printable(counts)}`).toBeGreaterThan(0);
      }

      // Money: every account conserved, by the answers and by its ledger.
      for (const name of Object.keys(msisdns) as AccountName[]) {
        if (name === 'unknown') continue;
        const m = msisdns[name];
        const view = (await ocs.server.store.getAccount(m))!;
        const refunded = [...refunds.values()]
          .filter((r) => r.msisdn === m)
          .reduce((sum, r) => sum + r.amount, 0);
        const money = view.buckets[MONEY]!;
        expect(money.available + money.reserved + money.spent, `${name}: money in`).toBe(
          opening.get(m)! + refunded,
        );
        for (const [bucket, b] of Object.entries(view.buckets))
          expect(b.reserved, `${name} ${bucket} reserved`).toBe(0);
        expect(await ocs.server.store.listReservations(m)).toEqual([]);
        await expectLedgerReplays(name, view, refunded);
      }

      // The server still serves a fresh, well-formed client.
      const fresh = await ocs.account({ balance: 1000 });
      const peer = await ocs.connect();
      const s = new CcSession(ocs, CONTEXT.data, fresh, [], peer);
      const i = await s.initial([mscc(10, { rsu: [octets(MiB)] })]);
      expect(i.get('Result-Code')).toBe(2001);
      expect(msccResults(i)).toEqual([2001]);
      const t = await s.terminate([mscc(10, { usu: [[octets(MiB)]] })]);
      expect(t.get('Result-Code')).toBe(2001);
      expect(await ocs.balance(fresh)).toEqual({ available: 970, reserved: 0, spent: 30 });
    },
    Math.max(60_000, REQUESTS * 20),
  );
});
