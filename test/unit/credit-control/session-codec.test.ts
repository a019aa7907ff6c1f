import { describe, expect, it } from 'vitest';
import { decodeSessionRecord, encodeSessionRecord } from '../../../src/credit-control/session-codec.js';
import type { SessionRecord } from '../../../src/credit-control/sessions.js';

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
  ])('reads back %s exactly as written', (_, record) => {
    const stored = encodeSessionRecord(record);
    expect(decodeSessionRecord(record.msisdn, record.sessionId, stored)).toEqual(record);
  });

  it('keeps neither the MSISDN nor the Session-Id, which the key already carries', () => {
    const stored = encodeSessionRecord(dataSession);
    expect(stored).not.toContain(dataSession.msisdn);
    expect(stored).not.toContain(dataSession.sessionId);
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
