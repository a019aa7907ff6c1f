import type { SessionRecord } from './sessions.js';
import type { CreditControlAnswer, ServiceCreditAnswer } from './types.js';

/**
 * The session record as stored in Redis: JSON with short names and without what the key
 * already says (MSISDN, Session-Id) or what is empty. Every open session keeps one, so its
 * size is most of what an open session costs in Redis memory. A record written in the long
 * form (full names, every field) is still read.
 */

const RECORD = {
  kind: 'k',
  tariff: 't',
  currency: 'c',
  state: 's',
  lastNumber: 'n',
  lastType: 'y',
  lastAnswer: 'a',
  startedAt: 'b',
  updatedAt: 'u',
  reserved: 'r',
  held: 'h',
  used: 'us',
  amounts: 'am',
  levels: 'l',
  callingParty: 'cg',
  calledParty: 'cd',
  role: 'ro',
  closeReason: 'cr',
  action: 'ac',
  ownerUntil: 'o',
} as const satisfies Partial<Record<keyof SessionRecord, string>>;

const ANSWER = {
  resultCode: 'rc',
  services: 'sv',
  granted: 'g',
  validityTime: 'vt',
  finalUnitIndication: 'f',
  costInformation: 'ci',
  checkBalanceResult: 'cb',
  creditControlFailureHandling: 'cf',
  directDebitingFailureHandling: 'df',
  errorMessage: 'em',
  failedAvp: 'fa',
} as const satisfies Record<keyof CreditControlAnswer, string>;

const SERVICE = {
  ratingGroup: 'rg',
  serviceIdentifiers: 'si',
  resultCode: 'rc',
  granted: 'g',
  validityTime: 'vt',
  finalUnitIndication: 'f',
  quotaHoldingTime: 'qh',
  timeQuotaThreshold: 'tt',
  volumeQuotaThreshold: 'vq',
  unitQuotaThreshold: 'ut',
} as const satisfies Record<keyof ServiceCreditAnswer, string>;

const GRANTED = {
  time: 't',
  totalOctets: 'o',
  inputOctets: 'i',
  outputOctets: 'u',
  serviceSpecificUnits: 's',
} as const;

type Names = Readonly<Record<string, string>>;
type Plain = Record<string, unknown>;

function reverse(names: Names): Names {
  return Object.fromEntries(Object.entries(names).map(([long, short]) => [short, long]));
}

const LONG = {
  record: reverse(RECORD),
  answer: reverse(ANSWER),
  service: reverse(SERVICE),
  granted: reverse(GRANTED),
};

function isEmpty(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** The object with its names changed by `names` (others kept) and empty values left out. */
function rename(value: Plain, names: Names): Plain {
  const out: Plain = {};
  for (const name in value) {
    const v = value[name];
    if (!isEmpty(v)) out[names[name] ?? name] = v;
  }
  return out;
}

function shortService(s: ServiceCreditAnswer): Plain {
  const out = rename(s as unknown as Plain, SERVICE);
  if (s.granted) out[SERVICE.granted] = rename(s.granted as Plain, GRANTED);
  return out;
}

function shortAnswer(answer: CreditControlAnswer): Plain {
  const out = rename(answer as unknown as Plain, ANSWER);
  if (answer.services.length) out[ANSWER.services] = answer.services.map(shortService);
  if (answer.granted) out[ANSWER.granted] = rename(answer.granted as Plain, GRANTED);
  return out;
}

function longAnswer(stored: Plain): CreditControlAnswer {
  const answer = rename(stored, LONG.answer);
  const services = (answer.services as Plain[] | undefined) ?? [];
  answer.services = services.map((s) => {
    const service = rename(s, LONG.service);
    if (service.granted) service.granted = rename(service.granted as Plain, LONG.granted);
    return service;
  });
  if (answer.granted) answer.granted = rename(answer.granted as Plain, LONG.granted);
  return answer as unknown as CreditControlAnswer;
}

export function encodeSessionRecord(record: SessionRecord): string {
  const { sessionId: _sessionId, msisdn: _msisdn, ...fields } = record;
  const out = rename(fields, RECORD);
  out[RECORD.lastAnswer] = shortAnswer(record.lastAnswer);
  // Read back as 0 when absent, so the common first request costs nothing.
  if (record.lastNumber === 0) delete out[RECORD.lastNumber];
  return JSON.stringify(out);
}

export function decodeSessionRecord(msisdn: string, sessionId: string, raw: string): SessionRecord {
  const stored = JSON.parse(raw) as Plain;
  if ('sessionId' in stored) return stored as unknown as SessionRecord;
  const fields = rename(stored, LONG.record);
  return {
    ...fields,
    sessionId,
    msisdn,
    lastNumber: (fields.lastNumber as number | undefined) ?? 0,
    lastAnswer: longAnswer((stored[RECORD.lastAnswer] as Plain | undefined) ?? {}),
    reserved: (fields.reserved as number[] | undefined) ?? [],
    used: (fields.used as Record<string, number> | undefined) ?? {},
    amounts: (fields.amounts as Record<string, number> | undefined) ?? {},
    levels: (fields.levels as string[] | undefined) ?? [],
  } as SessionRecord;
}
