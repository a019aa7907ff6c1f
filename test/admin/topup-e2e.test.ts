/**
 * End to end: a voice call runs an account dry (Final-Unit-Indication, then 4012 CREDIT_LIMIT_REACHED),
 * a new call is refused 4012; the operator tops it up over HTTP and the next call is granted; the
 * same top-up replayed with its reference changes nothing. The whole server (startServer) over
 * loopback, on the run's Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  CONTEXT,
  CcSession,
  imsInformation,
  mscc,
  msccResults,
  seconds,
  startOcs,
  type OcsFixture,
} from '../support/ocs-fixture.js';
import type { Answer } from './fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs({
    settings: { voice: { defaultQuota: 300, maxQuota: 3600, validityTime: 900, quotaThreshold: 10 } },
  });
});
afterAll(() => ocs.close());

async function http(method: string, path: string, body?: unknown): Promise<Pick<Answer, 'status' | 'body'>> {
  const response = await fetch(`http://127.0.0.1:${ocs.server.httpPort}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

describe('a top-up over HTTP after the credit limit', () => {
  it('lets a new call be granted, once per reference', async () => {
    // 0.40 CNY at 0.15 a started minute: two minutes, and 0.10 that never buys a third.
    const msisdn = await ocs.account({ balance: 40 });
    const ims = imsInformation(`tel:+${msisdn}`, 'tel:+861065000000');
    const call = new CcSession(ocs, CONTEXT.voice, msisdn, [ims]);
    expect((await call.initial([mscc(100, { rsu: [seconds(60)] })])).get('Result-Code')).toBe(2001);
    await call.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
    const limit = await call.update([mscc(100, { rsu: [seconds(60)], usu: [[seconds(60)]] })]);
    expect(limit.get('Result-Code')).toBe(4012);
    expect(msccResults(limit)).toEqual([4012]);
    expect((await call.terminate([mscc(100, { usu: [[seconds(0)]] })])).get('Result-Code')).toBe(2001);
    expect(await ocs.balance(msisdn)).toEqual({ available: 10, reserved: 0, spent: 30 });

    const refused = new CcSession(ocs, CONTEXT.voice, msisdn, [ims]);
    const refusal = await refused.initial([mscc(100, { rsu: [seconds(60)] })]);
    expect([refusal.get('Result-Code'), ...msccResults(refusal)]).toContain(4012);

    const topup = await http('POST', `/v1/accounts/${msisdn}/topups`, {
      amount: 500,
      reference: 'voucher-e2e-1',
    });
    expect(topup).toEqual({
      status: 201,
      body: {
        msisdn,
        kind: 'topup',
        reference: 'voucher-e2e-1',
        amount: 500,
        bucket: 'money',
        available: 510,
        replayed: false,
      },
    });

    const granted = new CcSession(ocs, CONTEXT.voice, msisdn, [ims]);
    const grant = await granted.initial([mscc(100, { rsu: [seconds(60)] })]);
    expect(grant.get('Result-Code')).toBe(2001);
    expect(msccResults(grant)).toEqual([2001]);
    const during = await ocs.balance(msisdn);
    expect(during).toEqual({ available: 495, reserved: 15, spent: 30 });

    const replay = await http('POST', `/v1/accounts/${msisdn}/topups`, {
      amount: 500,
      reference: 'voucher-e2e-1',
    });
    expect(replay).toEqual({ status: 200, body: { ...topup.body, replayed: true } });
    expect(await ocs.balance(msisdn)).toEqual(during);

    await granted.terminate([mscc(100, { usu: [[seconds(30)]] })]);
    const account = await http('GET', `/v1/accounts/${msisdn}`);
    expect(account.body.buckets.money).toEqual({ available: 495, reserved: 0, spent: 45 });
    const ledger = await http('GET', `/v1/accounts/${msisdn}/ledger?limit=100`);
    expect(ledger.body.items.filter((e: { op: string }) => e.op === 'topup')).toHaveLength(1);
  });
});
