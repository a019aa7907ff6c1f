/**
 * The times a request's save puts in its session record (session-close.ts prepareSave): a
 * CCR-I's is the session's start, so that an open session's record keeps one time, not two; a
 * later request's is when it is saved, from which Tcc supervision counts (RFC 4006 §7).
 */
import { describe, expect, it } from 'vitest';
import { tccSeconds, type Charging } from '../../../src/credit-control/context.js';
import { prepareSave } from '../../../src/credit-control/session-close.js';
import { encodeSessionRecord } from '../../../src/credit-control/session-codec.js';
import type { SessionRecord } from '../../../src/credit-control/session-record.js';
import { chargingSettings } from '../../../src/credit-control/settings.js';
import type { CreditControlRequest } from '../../../src/credit-control/types.js';

const charging = { settings: chargingSettings({}), instanceId: 'ocs-a' } as unknown as Charging;
const START = 1_772_352_000_000;

function opened(): SessionRecord {
  return {
    sessionId: 'pgw.example;1',
    msisdn: '8613800000001',
    kind: 'data',
    tariff: 'std',
    currency: 'CNY',
    state: 'open',
    lastNumber: 0,
    lastAnswer: { resultCode: 0, services: [] },
    startedAt: START,
    updatedAt: START,
    reserved: [],
    used: {},
    amounts: {},
    levels: [],
  };
}

const request = (requestType: 'initial' | 'update', requestNumber: number) =>
  ({ requestType, requestNumber, sessionId: 'pgw.example;1' }) as CreditControlRequest;

describe('prepareSave', () => {
  it("dates a CCR-I's record by the session's start, however long the request took", () => {
    const record = opened();
    const options = prepareSave(charging, record, request('initial', 0), 'open', START + 40);
    expect(record.updatedAt).toBe(START);
    expect(options.superviseUntilMs).toBe(START + 40 + tccSeconds(charging, 'data') * 1000);
    const stored = JSON.parse(encodeSessionRecord(record)) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('u');
    expect(stored).not.toHaveProperty('y');
  });

  it('dates a later request by its save', () => {
    const record = opened();
    prepareSave(charging, record, request('update', 1), 'open', START + 60_000);
    expect(record.updatedAt).toBe(START + 60_000);
  });
});
