import { describe, expect, it } from 'vitest';
import {
  decodeSessionRecord,
  encodeSessionRecord,
  withKeptResult,
} from '../../../src/credit-control/session-codec.js';
import type { SessionRecord } from '../../../src/credit-control/session-record.js';
import type {
  CreditControlAnswer,
  GrantedServiceUnits,
  ServiceCreditAnswer,
} from '../../../src/credit-control/types.js';

// Every field set, and typed so that a field added to these types must be added here too: the
// round trip below then fails until the codec keeps it.
const everyUnit: Required<GrantedServiceUnits> = {
  tariffTimeChange: new Date(1_790_000_000_000),
  time: 1,
  totalOctets: 2,
  inputOctets: 3,
  outputOctets: 4,
  serviceSpecificUnits: 5,
};
const fullService: Required<ServiceCreditAnswer> = {
  ratingGroup: 10,
  serviceIdentifiers: [7],
  resultCode: 2001,
  granted: everyUnit,
  validityTime: 60,
  finalUnitIndication: {
    action: 'restrict-access',
    restrictionFilterRules: ['permit in ip from any to any'],
  },
  quotaHoldingTime: 30,
  timeQuotaThreshold: 6,
  volumeQuotaThreshold: 7,
  unitQuotaThreshold: 8,
  refundInformation: '0123456789abcdef0123456789abcdef',
};
const fullAnswer: Required<CreditControlAnswer> = {
  resultCode: 5004,
  services: [fullService],
  granted: everyUnit,
  validityTime: 90,
  finalUnitIndication: { action: 'terminate' },
  costInformation: { valueDigits: 90, exponent: -2, currencyCode: 156, costUnit: 'min' },
  checkBalanceResult: 'no-credit',
  creditControlFailureHandling: 'retry-and-terminate',
  directDebitingFailureHandling: 'continue',
  refundInformation: 'fedcba9876543210fedcba9876543210',
  errorMessage: 'bad',
  failedAvp: 'CC-Request-Number',
};
const everyField: Required<SessionRecord> = {
  sessionId: 'a;b',
  msisdn: '8613800000009',
  kind: 'voice',
  tariff: 't',
  currency: 'EUR',
  state: 'closed',
  lastNumber: 9,
  lastType: 'event',
  lastAnswer: fullAnswer,
  startedAt: 1,
  updatedAt: 2,
  reserved: [10, 20],
  held: { '10': 1 },
  used: { '10': 2 },
  amounts: { money: 3 },
  levels: ['x'],
  callingParty: '1',
  calledParty: '2',
  destination: 'beijing',
  role: 'terminating',
  closeReason: 'postpaid',
  action: 'refund-account',
  ownerUntil: 3,
  originHost: 'pgw.example',
  originRealm: 'example',
  via: 'dra.example',
  instance: 'ocs-a',
  pending: { call: 'settle', ratingGroup: 10, used: 4, opId: 'a;b:9:settle:10', level: 'x' },
};

const dataSession: SessionRecord = {
  sessionId: 'pgw.example;1;42',
  msisdn: '8613800000001',
  kind: 'data',
  tariff: 'std',
  currency: 'CNY',
  state: 'open',
  lastNumber: 0,
  lastType: 'initial',
  lastAnswer: {
    resultCode: 2001,
    services: [
      {
        resultCode: 2001,
        ratingGroup: 10,
        serviceIdentifiers: [1, 2],
        granted: { totalOctets: 1_048_576 },
        validityTime: 3600,
        quotaHoldingTime: 300,
        volumeQuotaThreshold: 102_400,
      },
      { resultCode: 4012, ratingGroup: 20 },
    ],
    creditControlFailureHandling: 'terminate',
  },
  startedAt: 1_772_352_000_000,
  updatedAt: 1_772_352_000_000,
  reserved: [10],
  held: { '10': 30 },
  used: {},
  amounts: {},
  levels: ['pps:std:data'],
  ownerUntil: 1_772_359_440_000,
};

const closedVoiceCall: SessionRecord = {
  ...dataSession,
  sessionId: 'scscf.example;7',
  kind: 'voice',
  state: 'closed',
  lastNumber: 3,
  lastType: 'termination',
  lastAnswer: {
    resultCode: 2001,
    services: [],
    granted: { time: 60 },
    validityTime: 600,
    finalUnitIndication: { action: 'redirect', redirect: { addressType: 'url', address: 'http://top.up/' } },
  },
  reserved: [],
  used: { '100': 150 },
  amounts: { money: 45, 'vpn:L0': 60 },
  levels: ['vpn:L0', 'pps:std:voice-mo'],
  callingParty: '8613800000001',
  calledParty: '8613800000002',
  role: 'originating',
  closeReason: 'termination',
};

const priceEnquiry: SessionRecord = {
  ...closedVoiceCall,
  sessionId: 'sms.example;9',
  kind: 'sms',
  lastType: 'event',
  lastNumber: 0,
  lastAnswer: {
    resultCode: 2001,
    services: [],
    costInformation: { valueDigits: 90, exponent: -2, currencyCode: 156 },
    errorMessage: '',
  },
  closeReason: 'event',
  action: 'price-enquiry',
};

describe('stored session records', () => {
  it.each([
    ['an open data session with two rating groups', dataSession],
    ['a closed voice call with a command-level grant and final units', closedVoiceCall],
    ['a price enquiry', priceEnquiry],
    ['a record with every field set', everyField],
    ['a record written by its charging call', { ...dataSession, pending: everyField.pending }],
  ])('reads back %s exactly as written', (_, record) => {
    const stored = encodeSessionRecord(record);
    // A record written by its request's charging call has no answer of that request to keep.
    const expected = record.pending ? { ...record, lastAnswer: { resultCode: 0, services: [] } } : record;
    expect(decodeSessionRecord(record.msisdn, record.sessionId, stored)).toEqual(expected);
  });

  it('keeps the answer of a record not written by a charging call', () => {
    const { pending: _, ...written } = everyField;
    const stored = encodeSessionRecord(written);
    expect(decodeSessionRecord(written.msisdn, written.sessionId, stored)).toEqual(written);
  });

  it('keeps neither the MSISDN nor the Session-Id, which the key already carries', () => {
    const stored = encodeSessionRecord(dataSession);
    expect(stored).not.toContain(dataSession.msisdn);
    expect(stored).not.toContain(dataSession.sessionId);
  });

  it("keeps a pending call's opId without the Session-Id it starts with, and reads it back whole", () => {
    const pending = {
      call: 'apply' as const,
      ratingGroup: 10,
      used: 0,
      opId: `${dataSession.sessionId}#0#apply:10`,
    };
    const record = { ...dataSession, pending };
    const stored = encodeSessionRecord(record);
    expect(stored).not.toContain(dataSession.sessionId);
    expect(stored).toContain('"#0#apply:10"');
    expect(decodeSessionRecord(record.msisdn, record.sessionId, stored).pending).toEqual(pending);
  });

  it('reads the result that the charging call appended to the record it wrote, and never writes one', () => {
    const pending = {
      call: 'apply' as const,
      ratingGroup: 10,
      used: 0,
      opId: `${dataSession.sessionId}#0#apply:10`,
    };
    const raw = encodeSessionRecord({ ...dataSession, pending });
    const stored = withKeptResult(raw, '[1048576,0,1790000600000,["money",1,30],970]');
    expect(stored).toBe(`${raw.slice(0, -1)},"x":[1048576,0,1790000600000,["money",1,30],970]}`);
    const read = decodeSessionRecord(dataSession.msisdn, dataSession.sessionId, stored);
    expect(read.pending).toEqual({ ...pending, result: [1048576, 0, 1790000600000, ['money', 1, 30], 970] });
    expect(encodeSessionRecord(read)).toBe(raw);
    expect(withKeptResult(raw, undefined)).toBe(raw);
  });

  it("keeps an open session's type of last request only once it is past its CCR-I", () => {
    expect(JSON.parse(encodeSessionRecord(dataSession))).not.toHaveProperty('y');
    const updated = { ...dataSession, lastNumber: 1, lastType: 'update' as const };
    expect(JSON.parse(encodeSessionRecord(updated))).toMatchObject({ y: 'update' });
    const refused = { ...dataSession, state: 'closed' as const };
    expect(JSON.parse(encodeSessionRecord(refused))).toMatchObject({ y: 'initial' });
    expect(decodeSessionRecord(refused.msisdn, refused.sessionId, encodeSessionRecord(refused))).toEqual(
      refused,
    );
  });

  it('keeps the time of the last request only once it differs from the start', () => {
    expect(JSON.parse(encodeSessionRecord(dataSession))).not.toHaveProperty('u');
    const later = { ...dataSession, updatedAt: dataSession.startedAt + 60_000 };
    expect(JSON.parse(encodeSessionRecord(later))).toMatchObject({ u: later.updatedAt });
  });

  it('takes well under half the bytes of the record in full', () => {
    const stored = encodeSessionRecord(dataSession);
    expect(stored.length).toBeLessThan(JSON.stringify(dataSession).length / 2);
  });

  it('still reads a record written in full by an earlier version', () => {
    const { ownerUntil: _, ...earlier } = dataSession;
    expect(decodeSessionRecord('ignored', 'ignored', JSON.stringify(earlier))).toEqual(earlier);
  });
});
