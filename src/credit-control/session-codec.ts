import type { PendingCharge, SessionRecord } from './session-record.js';
import type { CreditControlAnswer, GrantedServiceUnits, ServiceCreditAnswer } from './types.js';

/**
 * The session record as stored in Redis: JSON with short names and without what the key
 * already says (MSISDN, Session-Id) or what is empty. Every open session keeps one, so its
 * size is most of what an open session costs in Redis memory, and every request writes it:
 * the short-named form given to JSON.stringify, which on Node 20 writes it faster than text
 * concatenated field by field (measured with bench/session-record.ts). A CCR served from
 * memory decodes none (sessions.ts). A record written in the long form (full names, every
 * field) is still read. test/unit/credit-control/session-codec.test.ts round-trips a record
 * with every field set; session-codec-property.test.ts random ones, and holds the stored text
 * to the form Lua and the records already in Redis have.
 */

interface StoredGranted {
  /** Tariff-Time-Change, ms. */
  tc?: number;
  t?: number;
  o?: number;
  i?: number;
  u?: number;
  s?: number;
}

interface StoredService {
  rc: number;
  rg?: number;
  si?: number[];
  g?: StoredGranted;
  vt?: number;
  f?: ServiceCreditAnswer['finalUnitIndication'];
  qh?: number;
  tt?: number;
  vq?: number;
  ut?: number;
  ri?: string;
}

interface StoredAnswer {
  rc: number;
  sv?: StoredService[];
  g?: StoredGranted;
  vt?: number;
  f?: CreditControlAnswer['finalUnitIndication'];
  ci?: CreditControlAnswer['costInformation'];
  cb?: CreditControlAnswer['checkBalanceResult'];
  cf?: CreditControlAnswer['creditControlFailureHandling'];
  df?: CreditControlAnswer['directDebitingFailureHandling'];
  ri?: string;
  em?: string;
  fa?: CreditControlAnswer['failedAvp'];
}

interface StoredRecord {
  k: SessionRecord['kind'];
  t: string;
  c: string;
  s: SessionRecord['state'];
  n?: number;
  y?: SessionRecord['lastType'];
  /** Absent while a charging call is pending (`p`). */
  a?: StoredAnswer;
  b: number;
  /** Absent when equal to `b` (a session that has had only its CCR-I). */
  u?: number;
  r?: number[];
  h?: Record<string, number>;
  us?: Record<string, number>;
  am?: Record<string, number>;
  l?: string[];
  cg?: string;
  cd?: string;
  /** The destination the called number matched. */
  dn?: string;
  ro?: string;
  cr?: string;
  ac?: string;
  o?: number;
  oh?: string;
  or?: string;
  v?: string;
  i?: string;
  /**
   * The pending charging call: [call, rating group, used, opId, level?]; an opId that starts
   * with the Session-Id (all of credit control's do) is stored without it, as `#...`.
   */
  p?: [PendingCharge['call'], number, number, string, string?];
  /**
   * The pending call's result, appended by the call itself as the record's last field (balance
   * lua/includes/session-write.lua): never written here.
   */
  x?: unknown[];
}

/**
 * An open record whose last request is number 0 was written by its CCR-I: its type goes
 * without saying. Most open sessions are there (a CCR-U comes after minutes), and every byte of
 * a record counts for each of them. A record of an earlier version, which lacks the type, is
 * read the same way, and rightly.
 */
function opensWith(r: Pick<SessionRecord, 'state' | 'lastNumber' | 'lastType'>): boolean {
  return r.state === 'open' && !r.lastNumber && (r.lastType === undefined || r.lastType === 'initial');
}

function longGranted(g: StoredGranted): GrantedServiceUnits {
  const out: GrantedServiceUnits = {};
  if (g.tc !== undefined) out.tariffTimeChange = new Date(g.tc);
  if (g.t !== undefined) out.time = g.t;
  if (g.o !== undefined) out.totalOctets = g.o;
  if (g.i !== undefined) out.inputOctets = g.i;
  if (g.u !== undefined) out.outputOctets = g.u;
  if (g.s !== undefined) out.serviceSpecificUnits = g.s;
  return out;
}

function longService(s: StoredService): ServiceCreditAnswer {
  const out: ServiceCreditAnswer = { resultCode: s.rc };
  if (s.rg !== undefined) out.ratingGroup = s.rg;
  if (s.si !== undefined) out.serviceIdentifiers = s.si;
  if (s.g !== undefined) out.granted = longGranted(s.g);
  if (s.vt !== undefined) out.validityTime = s.vt;
  if (s.f !== undefined) out.finalUnitIndication = s.f;
  if (s.qh !== undefined) out.quotaHoldingTime = s.qh;
  if (s.tt !== undefined) out.timeQuotaThreshold = s.tt;
  if (s.vq !== undefined) out.volumeQuotaThreshold = s.vq;
  if (s.ut !== undefined) out.unitQuotaThreshold = s.ut;
  if (s.ri !== undefined) out.refundInformation = s.ri;
  return out;
}

function longAnswer(a: StoredAnswer): CreditControlAnswer {
  const out: CreditControlAnswer = { resultCode: a.rc, services: a.sv ? a.sv.map(longService) : [] };
  if (a.g !== undefined) out.granted = longGranted(a.g);
  if (a.vt !== undefined) out.validityTime = a.vt;
  if (a.f !== undefined) out.finalUnitIndication = a.f;
  if (a.ci !== undefined) out.costInformation = a.ci;
  if (a.cb !== undefined) out.checkBalanceResult = a.cb;
  if (a.cf !== undefined) out.creditControlFailureHandling = a.cf;
  if (a.df !== undefined) out.directDebitingFailureHandling = a.df;
  if (a.ri !== undefined) out.refundInformation = a.ri;
  if (a.em !== undefined) out.errorMessage = a.em;
  if (a.fa !== undefined) out.failedAvp = a.fa;
  return out;
}

function hasKeys(value: object | undefined): boolean {
  if (value) for (const _ in value) return true;
  return false;
}

function shortGranted(g: GrantedServiceUnits): StoredGranted {
  return {
    tc: g.tariffTimeChange?.getTime(),
    t: g.time,
    o: g.totalOctets,
    i: g.inputOctets,
    u: g.outputOctets,
    s: g.serviceSpecificUnits,
  };
}

function shortService(s: ServiceCreditAnswer): StoredService {
  return {
    rc: s.resultCode,
    rg: s.ratingGroup,
    si: s.serviceIdentifiers?.length ? s.serviceIdentifiers : undefined,
    g: s.granted && shortGranted(s.granted),
    vt: s.validityTime,
    f: s.finalUnitIndication,
    qh: s.quotaHoldingTime,
    tt: s.timeQuotaThreshold,
    vq: s.volumeQuotaThreshold,
    ut: s.unitQuotaThreshold,
    ri: s.refundInformation,
  };
}

function shortAnswer(a: CreditControlAnswer): StoredAnswer {
  return {
    rc: a.resultCode,
    sv: a.services.length ? a.services.map(shortService) : undefined,
    g: a.granted && shortGranted(a.granted),
    vt: a.validityTime,
    f: a.finalUnitIndication,
    ci: a.costInformation,
    cb: a.checkBalanceResult,
    cf: a.creditControlFailureHandling,
    df: a.directDebitingFailureHandling,
    ri: a.refundInformation,
    em: a.errorMessage,
    fa: a.failedAvp,
  };
}

export function encodeSessionRecord(r: SessionRecord): string {
  const stored: StoredRecord = {
    k: r.kind,
    t: r.tariff,
    c: r.currency,
    s: r.state,
    n: r.lastNumber || undefined,
    y: opensWith(r) ? undefined : r.lastType,
    a: r.pending ? undefined : shortAnswer(r.lastAnswer),
    b: r.startedAt,
    u: r.updatedAt === r.startedAt ? undefined : r.updatedAt,
    r: r.reserved.length ? r.reserved : undefined,
    h: hasKeys(r.held) ? r.held : undefined,
    us: hasKeys(r.used) ? r.used : undefined,
    am: hasKeys(r.amounts) ? r.amounts : undefined,
    l: r.levels.length ? r.levels : undefined,
    cg: r.callingParty,
    cd: r.calledParty,
    dn: r.destination,
    ro: r.role,
    cr: r.closeReason,
    ac: r.action,
    o: r.ownerUntil,
    oh: r.originHost,
    or: r.originRealm,
    v: r.via,
    i: r.instance,
    p: r.pending && shortPending(r.sessionId, r.pending),
  };
  return JSON.stringify(stored);
}

/**
 * The record a stored one says, in the one shape every record has in memory (copyRecord: all
 * its fields, absent ones undefined), so that code reading records reads them all alike.
 */
export function decodeSessionRecord(msisdn: string, sessionId: string, raw: string): SessionRecord {
  const parsed = JSON.parse(raw) as StoredRecord | SessionRecord;
  if ('sessionId' in parsed) return parsed;
  const s = parsed;
  const lastNumber = s.n ?? 0;
  const record: { [K in keyof Required<SessionRecord>]: SessionRecord[K] } = {
    sessionId,
    msisdn,
    kind: s.k,
    tariff: s.t,
    currency: s.c,
    state: s.s,
    lastNumber,
    lastType: s.y ?? (opensWith({ state: s.s, lastNumber }) ? 'initial' : undefined),
    lastAnswer: s.a ? longAnswer(s.a) : { resultCode: 0, services: [] },
    startedAt: s.b,
    updatedAt: s.u ?? s.b,
    reserved: s.r ?? [],
    held: s.h,
    used: s.us ?? {},
    amounts: s.am ?? {},
    levels: s.l ?? [],
    callingParty: s.cg,
    calledParty: s.cd,
    destination: s.dn,
    role: s.ro,
    closeReason: s.cr,
    action: s.ac,
    ownerUntil: s.o,
    originHost: s.oh,
    originRealm: s.or,
    via: s.v,
    instance: s.i,
    pending: s.p && longPending(sessionId, s.p, Array.isArray(s.x) ? s.x : undefined),
  };
  return record;
}

/** The record `raw` as its charging call stored it, keeping the call's result `kept` (JSON). */
export function withKeptResult(raw: string, kept: string | undefined): string {
  return kept === undefined ? raw : `${raw.slice(0, -1)},"x":${kept}}`;
}

function shortPending(sessionId: string, p: PendingCharge): NonNullable<StoredRecord['p']> {
  const opId = p.opId.startsWith(`${sessionId}#`) ? p.opId.slice(sessionId.length) : p.opId;
  const stored: NonNullable<StoredRecord['p']> = [p.call, p.ratingGroup, p.used, opId];
  if (p.level !== undefined) stored.push(p.level);
  return stored;
}

function longPending(
  sessionId: string,
  [call, ratingGroup, used, stored, level]: NonNullable<StoredRecord['p']>,
  result: unknown[] | undefined,
): PendingCharge {
  const opId = stored.startsWith('#') ? sessionId + stored : stored;
  const pending: PendingCharge = { call, ratingGroup, used, opId };
  if (level !== undefined) pending.level = level;
  if (result) pending.result = result;
  return pending;
}
