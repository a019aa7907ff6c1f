import { jsonNumber, jsonNumberMap, jsonNumbers, jsonString, jsonStrings } from './json-text.js';
import type { PendingCharge, SessionRecord } from './session-record.js';
import type { CreditControlAnswer, GrantedServiceUnits, ServiceCreditAnswer } from './types.js';

/**
 * The session record as stored in Redis: JSON with short names and without what the key
 * already says (MSISDN, Session-Id) or what is empty. Every open session keeps one, so its
 * size is most of what an open session costs in Redis memory, and every request writes it,
 * so it is written as text in one pass, not built as an object and stringified. A record
 * written in the long form (full names, every field) is still read.
 * test/unit/credit-control/session-codec.test.ts round-trips a record with every field set;
 * session-codec-property.test.ts random ones, against the stored form as JSON.stringify gave it.
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

/**
 * The record as stored: the text JSON.stringify would give of its short-named form, written in
 * one pass (json-text.ts) rather than building that form first, as every CCR writes one.
 */
export function encodeSessionRecord(r: SessionRecord): string {
  let s = `{"k":${jsonString(r.kind)},"t":${jsonString(r.tariff)},"c":${jsonString(r.currency)}`;
  s += `,"s":${jsonString(r.state)}`;
  if (r.lastNumber) s += `,"n":${jsonNumber(r.lastNumber)}`;
  if (r.lastType !== undefined && !opensWith(r)) s += `,"y":${jsonString(r.lastType)}`;
  if (!r.pending) s += `,"a":${answerText(r.lastAnswer)}`;
  s += `,"b":${jsonNumber(r.startedAt)}`;
  if (r.updatedAt !== r.startedAt) s += `,"u":${jsonNumber(r.updatedAt)}`;
  if (r.reserved.length) s += `,"r":${jsonNumbers(r.reserved)}`;
  const held = jsonNumberMap(r.held);
  if (held) s += `,"h":${held}`;
  const used = jsonNumberMap(r.used);
  if (used) s += `,"us":${used}`;
  const amounts = jsonNumberMap(r.amounts);
  if (amounts) s += `,"am":${amounts}`;
  if (r.levels.length) s += `,"l":${jsonStrings(r.levels)}`;
  if (r.callingParty !== undefined) s += `,"cg":${jsonString(r.callingParty)}`;
  if (r.calledParty !== undefined) s += `,"cd":${jsonString(r.calledParty)}`;
  if (r.destination !== undefined) s += `,"dn":${jsonString(r.destination)}`;
  if (r.role !== undefined) s += `,"ro":${jsonString(r.role)}`;
  if (r.closeReason !== undefined) s += `,"cr":${jsonString(r.closeReason)}`;
  if (r.action !== undefined) s += `,"ac":${jsonString(r.action)}`;
  if (r.ownerUntil !== undefined) s += `,"o":${jsonNumber(r.ownerUntil)}`;
  if (r.originHost !== undefined) s += `,"oh":${jsonString(r.originHost)}`;
  if (r.originRealm !== undefined) s += `,"or":${jsonString(r.originRealm)}`;
  if (r.via !== undefined) s += `,"v":${jsonString(r.via)}`;
  if (r.instance !== undefined) s += `,"i":${jsonString(r.instance)}`;
  if (r.pending) s += `,"p":${pendingText(r.sessionId, r.pending)}`;
  return `${s}}`;
}

function answerText(a: CreditControlAnswer): string {
  let s = `{"rc":${jsonNumber(a.resultCode)}`;
  if (a.services.length) {
    let list = '';
    for (const service of a.services) list += `${list ? ',' : ''}${serviceText(service)}`;
    s += `,"sv":[${list}]`;
  }
  if (a.granted) s += `,"g":${grantedText(a.granted)}`;
  if (a.validityTime !== undefined) s += `,"vt":${jsonNumber(a.validityTime)}`;
  if (a.finalUnitIndication !== undefined) s += `,"f":${JSON.stringify(a.finalUnitIndication)}`;
  if (a.costInformation !== undefined) s += `,"ci":${JSON.stringify(a.costInformation)}`;
  if (a.checkBalanceResult !== undefined) s += `,"cb":${jsonString(a.checkBalanceResult)}`;
  if (a.creditControlFailureHandling !== undefined)
    s += `,"cf":${jsonString(a.creditControlFailureHandling)}`;
  if (a.directDebitingFailureHandling !== undefined)
    s += `,"df":${jsonString(a.directDebitingFailureHandling)}`;
  if (a.refundInformation !== undefined) s += `,"ri":${jsonString(a.refundInformation)}`;
  if (a.errorMessage !== undefined) s += `,"em":${jsonString(a.errorMessage)}`;
  if (a.failedAvp !== undefined) s += `,"fa":${jsonString(a.failedAvp)}`;
  return `${s}}`;
}

function serviceText(v: ServiceCreditAnswer): string {
  let s = `{"rc":${jsonNumber(v.resultCode)}`;
  if (v.ratingGroup !== undefined) s += `,"rg":${jsonNumber(v.ratingGroup)}`;
  if (v.serviceIdentifiers?.length) s += `,"si":${jsonNumbers(v.serviceIdentifiers)}`;
  if (v.granted) s += `,"g":${grantedText(v.granted)}`;
  if (v.validityTime !== undefined) s += `,"vt":${jsonNumber(v.validityTime)}`;
  if (v.finalUnitIndication !== undefined) s += `,"f":${JSON.stringify(v.finalUnitIndication)}`;
  if (v.quotaHoldingTime !== undefined) s += `,"qh":${jsonNumber(v.quotaHoldingTime)}`;
  if (v.timeQuotaThreshold !== undefined) s += `,"tt":${jsonNumber(v.timeQuotaThreshold)}`;
  if (v.volumeQuotaThreshold !== undefined) s += `,"vq":${jsonNumber(v.volumeQuotaThreshold)}`;
  if (v.unitQuotaThreshold !== undefined) s += `,"ut":${jsonNumber(v.unitQuotaThreshold)}`;
  if (v.refundInformation !== undefined) s += `,"ri":${jsonString(v.refundInformation)}`;
  return `${s}}`;
}

function grantedText(g: GrantedServiceUnits): string {
  let s = '';
  const change = g.tariffTimeChange?.getTime();
  if (change !== undefined) s += `,"tc":${jsonNumber(change)}`;
  if (g.time !== undefined) s += `,"t":${jsonNumber(g.time)}`;
  if (g.totalOctets !== undefined) s += `,"o":${jsonNumber(g.totalOctets)}`;
  if (g.inputOctets !== undefined) s += `,"i":${jsonNumber(g.inputOctets)}`;
  if (g.outputOctets !== undefined) s += `,"u":${jsonNumber(g.outputOctets)}`;
  if (g.serviceSpecificUnits !== undefined) s += `,"s":${jsonNumber(g.serviceSpecificUnits)}`;
  return `{${s.slice(1)}}`;
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

/**
 * The pending call as `p`, [call, rating group, used, opId, level?]: an opId that starts with
 * the Session-Id (all of credit control's do) without it.
 */
function pendingText(sessionId: string, p: PendingCharge): string {
  const short = p.opId.startsWith(sessionId) && p.opId[sessionId.length] === '#';
  const opId = short ? p.opId.slice(sessionId.length) : p.opId;
  const level = p.level === undefined ? '' : `,${jsonString(p.level)}`;
  return `[${jsonString(p.call)},${jsonNumber(p.ratingGroup)},${jsonNumber(p.used)},${jsonString(opId)}${level}]`;
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
