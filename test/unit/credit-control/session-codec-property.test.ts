/**
 * Random session records through the codec: a record reads back as it was written, also with
 * the result its charging call kept in it, and records written in full by an earlier version
 * still read. (That the Lua writes the kept result as the codec reads it is checked against a
 * real Redis in test/integration/balance/kept-result.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSessionRecord,
  encodeSessionRecord,
  withKeptResult,
} from '../../../src/credit-control/session-codec.js';
import type { SessionRecord } from '../../../src/credit-control/session-record.js';

function hasKeys(value: object | undefined): boolean {
  if (value) for (const _ in value) return true;
  return false;
}
const opensWith = (r: SessionRecord) =>
  r.state === 'open' && !r.lastNumber && (r.lastType === undefined || r.lastType === 'initial');

/** Strings as they come (Diameter identities, labels) and those JSON must escape. */
const text = fc.oneof(
  fc.constantFrom(
    '',
    'pgw1.operator.net',
    'pps:std:data',
    'a"b',
    'back\\slash',
    'tab\there',
    '\u0000',
    '\ud800',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
/** Integers as money and times are; `odd` adds what JSON writes differently (-0, NaN, fractions). */
const integer = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.maxSafeInteger(),
  fc.constant(1_790_000_000_000),
);
const number = (odd: boolean) =>
  odd ? fc.oneof(integer, fc.double(), fc.constantFrom(-0, NaN, Infinity, 1e21, 0.1)) : integer;
/** Amounts by bucket and units by rating group: names and integer-like keys, whose order JSON fixes. */
const map = (odd: boolean) =>
  fc.dictionary(fc.oneof(fc.constantFrom('10', '0', '100', 'money', 'vpn:L0'), text), number(odd), {
    maxKeys: 4,
  });

function arbitraryRecord(odd: boolean): fc.Arbitrary<SessionRecord> {
  const n = number(odd);
  const granted = fc.record(
    {
      tariffTimeChange: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
      time: n,
      totalOctets: n,
      inputOctets: n,
      outputOctets: n,
      serviceSpecificUnits: n,
    },
    { requiredKeys: [] },
  );
  const finalUnit = fc.record(
    {
      action: fc.constantFrom('terminate' as const, 'redirect' as const, 'restrict-access' as const),
      redirect: fc.record({ addressType: fc.constant('url' as const), address: text }),
      restrictionFilterRules: fc.array(text, { maxLength: 2 }),
    },
    { requiredKeys: ['action'] },
  );
  const service = fc.record(
    {
      resultCode: fc.constantFrom(2001, 4010, 4012, 5030),
      ratingGroup: n,
      serviceIdentifiers: fc.array(n, { maxLength: 3 }),
      granted,
      validityTime: n,
      finalUnitIndication: finalUnit,
      quotaHoldingTime: n,
      timeQuotaThreshold: n,
      volumeQuotaThreshold: n,
      unitQuotaThreshold: n,
      refundInformation: text,
    },
    { requiredKeys: ['resultCode'] },
  );
  const answer = fc.record(
    {
      resultCode: fc.constantFrom(2001, 4012, 5004, 5030),
      services: fc.array(service, { maxLength: 3 }),
      granted,
      validityTime: n,
      finalUnitIndication: finalUnit,
      costInformation: fc.record({
        valueDigits: n,
        exponent: fc.integer({ min: -3, max: 3 }),
        currencyCode: n,
      }),
      checkBalanceResult: fc.constantFrom('enough-credit' as const, 'no-credit' as const),
      creditControlFailureHandling: fc.constantFrom('terminate' as const, 'continue' as const),
      directDebitingFailureHandling: fc.constantFrom('terminate-or-buffer' as const, 'continue' as const),
      refundInformation: text,
      errorMessage: text,
      failedAvp: fc.constantFrom('Subscription-Id' as const, 'CC-Request-Number' as const),
    },
    { requiredKeys: ['resultCode', 'services'] },
  );
  const sessionId = fc.constantFrom('pgw.example;1;42', 'a"b;7', 's');
  const pending = (id: string) =>
    fc.record(
      {
        call: fc.constantFrom('settle' as const, 'apply' as const),
        ratingGroup: n,
        used: n,
        opId: fc.oneof(
          text.map((t) => `${id}#${t}`),
          text,
          fc.constant(id),
        ),
        level: text,
      },
      { requiredKeys: ['call', 'ratingGroup', 'used', 'opId'] },
    );
  return sessionId.chain((id) =>
    fc.record(
      {
        sessionId: fc.constant(id),
        msisdn: fc.constant('8613800000001'),
        kind: fc.constantFrom('data' as const, 'voice' as const, 'sms' as const),
        tariff: text,
        currency: text,
        state: fc.constantFrom('open' as const, 'closed' as const),
        lastNumber: fc.oneof(fc.constant(0), n),
        lastType: fc.constantFrom(
          'initial' as const,
          'update' as const,
          'termination' as const,
          'event' as const,
        ),
        lastAnswer: answer,
        startedAt: n,
        updatedAt: n,
        reserved: fc.array(n, { maxLength: 3 }),
        held: map(odd),
        used: map(odd),
        amounts: map(odd),
        levels: fc.array(text, { maxLength: 3 }),
        callingParty: text,
        calledParty: text,
        destination: text,
        role: text,
        closeReason: text,
        action: text,
        ownerUntil: n,
        originHost: text,
        originRealm: text,
        via: text,
        instance: text,
        pending: pending(id),
      },
      {
        requiredKeys: [
          'sessionId',
          'msisdn',
          'kind',
          'tariff',
          'currency',
          'state',
          'lastNumber',
          'lastAnswer',
          'startedAt',
          'updatedAt',
          'reserved',
          'used',
          'amounts',
          'levels',
        ],
      },
    ),
  );
}

/** What a record reads back as: what the stored form leaves out comes back as its default. */
function asRead(r: SessionRecord): SessionRecord {
  const read: SessionRecord = structuredClone(r);
  if (read.pending) read.lastAnswer = { resultCode: 0, services: [] };
  if (read.lastType === undefined && opensWith(read)) read.lastType = 'initial';
  if (!hasKeys(read.held)) delete read.held;
  for (const s of read.lastAnswer.services) if (!s.serviceIdentifiers?.length) delete s.serviceIdentifiers;
  return read;
}

const runs = { numRuns: 500 };

describe('stored session records, at random', () => {
  it('read back as they were written', () => {
    fc.assert(
      fc.property(arbitraryRecord(false), (record) => {
        const read = decodeSessionRecord(record.msisdn, record.sessionId, encodeSessionRecord(record));
        expect(read).toEqual(asRead(record));
      }),
      runs,
    );
  });

  it('read back with the result the charging call kept in the record it wrote', () => {
    const kept = fc.array(fc.oneof(integer, fc.array(fc.oneof(text, integer), { maxLength: 3 })), {
      maxLength: 13,
    });
    fc.assert(
      fc.property(arbitraryRecord(false), kept, (record, result) => {
        fc.pre(record.pending !== undefined);
        const stored = withKeptResult(encodeSessionRecord(record), JSON.stringify(result));
        const read = decodeSessionRecord(record.msisdn, record.sessionId, stored);
        expect(read).toEqual({ ...asRead(record), pending: { ...asRead(record).pending, result } });
      }),
      runs,
    );
  });

  it('written in full by an earlier version still read as they were written', () => {
    fc.assert(
      fc.property(arbitraryRecord(false), (record) => {
        const full = JSON.stringify(record);
        expect(decodeSessionRecord('ignored', 'ignored', full)).toEqual(JSON.parse(full));
      }),
      runs,
    );
  });
});
