/** Top-ups and refunds over the admin API, idempotent by the client's reference. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AMOUNT } from '../../src/balance/index.js';
import { adminFixture, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

const money = async (msisdn: string) => (await f.store.getAccount(msisdn))?.buckets.money;

describe('POST /v1/accounts/{msisdn}/topups', () => {
  it('tops up once per reference: the replay answers the first figures and changes nothing', async () => {
    const msisdn = await f.account(100);
    const first = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 500, reference: 'voucher-0001' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      msisdn,
      kind: 'topup',
      reference: 'voucher-0001',
      amount: 500,
      bucket: 'money',
      available: 600,
      replayed: false,
    });
    await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 50, reference: 'voucher-0002' },
    });

    const replay = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 500, reference: 'voucher-0001' },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ ...first.body, replayed: true });
    expect(await money(msisdn)).toEqual({ available: 650, reserved: 0, spent: 0 });

    const topups = (await f.store.readLedger(msisdn)).filter((e) => e.op === 'topup');
    expect(topups.map((e) => [e.opId, e.extra.ref])).toEqual([
      ['topup:voucher-0001', 'voucher-0001'],
      ['topup:voucher-0002', 'voucher-0002'],
    ]);
  });

  it('credits once when the same reference arrives several times at once', async () => {
    const msisdn = await f.account(0);
    const body = { amount: 300, reference: 'pay-42' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => f.call('POST', `/v1/accounts/${msisdn}/topups`, { body })),
    );
    expect(answers.every((a) => a.body.available === 300)).toBe(true);
    expect(await money(msisdn)).toEqual({ available: 300, reserved: 0, spent: 0 });
  });

  it('refuses the same reference with another amount or bucket (409 REFERENCE_REUSED)', async () => {
    const msisdn = await f.account(0);
    await f.call('POST', `/v1/accounts/${msisdn}/topups`, { body: { amount: 100, reference: 'r-1' } });
    const other = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 200, reference: 'r-1' },
    });
    expect(other.status).toBe(409);
    expect(other.body).toEqual({
      code: 'REFERENCE_REUSED',
      message: `reference r-1 was a topup of 100 to money of ${msisdn}; this asks 200 to money`,
    });
    const bucket = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 100, reference: 'r-1', bucket: 'bonus' },
    });
    expect(bucket.body.code).toBe('REFERENCE_REUSED');
    expect(await money(msisdn)).toEqual({ available: 100, reserved: 0, spent: 0 });
  });

  it('keeps references per account, and apart for top-ups and refunds', async () => {
    const a = await f.account(0);
    const b = await f.account(0);
    const body = { amount: 10, reference: 'shared' };
    expect((await f.call('POST', `/v1/accounts/${a}/topups`, { body })).status).toBe(201);
    expect((await f.call('POST', `/v1/accounts/${b}/topups`, { body })).status).toBe(201);
    expect((await f.call('POST', `/v1/accounts/${a}/refunds`, { body })).status).toBe(201);
    expect((await money(a))?.available).toBe(20);
    expect((await money(b))?.available).toBe(10);
  });

  it('answers 404 for an unknown account, and the reference still works once the account exists', async () => {
    const msisdn = f.number();
    const unknown = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 10, reference: 'early' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ACCOUNT_NOT_FOUND');
    await f.call('POST', '/v1/accounts', { body: { msisdn, tariff: 'std' } });
    const later = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 10, reference: 'early' },
    });
    expect(later.status).toBe(201);
    expect(later.body.available).toBe(10);
  });

  it('answers 422 AMOUNT_TOO_LARGE past what a bucket holds, and frees the reference', async () => {
    const msisdn = await f.account(MAX_AMOUNT - 5);
    const over = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 10, reference: 'big' },
    });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('AMOUNT_TOO_LARGE');
    const fits = await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      body: { amount: 5, reference: 'big' },
    });
    expect(fits.status).toBe(201);
    expect(fits.body.available).toBe(MAX_AMOUNT);
  });

  it('answers 400 for an amount that is not a positive whole number, or no reference', async () => {
    const msisdn = await f.account(0);
    for (const [body, field] of [
      [{ amount: 0, reference: 'x' }, 'body.amount'],
      [{ amount: 1.5, reference: 'x' }, 'body.amount'],
      [{ amount: '10', reference: 'x' }, 'body.amount'],
      [{ amount: 10 }, 'body.reference'],
      [{ amount: 10, reference: 'has space' }, 'body.reference'],
    ] as const) {
      const answer = await f.call('POST', `/v1/accounts/${msisdn}/topups`, { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.problems[0].field).toBe(field);
    }
    expect((await money(msisdn))?.available).toBe(0);
  });
});

describe('POST /v1/accounts/{msisdn}/refunds', () => {
  it('gives money back, keeps spent, once per reference', async () => {
    const msisdn = await f.account(100);
    const first = await f.call('POST', `/v1/accounts/${msisdn}/refunds`, {
      body: { amount: 30, reference: 'complaint-7' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'refund', available: 130, replayed: false });
    const again = await f.call('POST', `/v1/accounts/${msisdn}/refunds`, {
      body: { amount: 30, reference: 'complaint-7' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ available: 130, replayed: true });
    expect(await money(msisdn)).toEqual({ available: 130, reserved: 0, spent: 0 });
    expect((await f.store.readLedger(msisdn)).filter((e) => e.op === 'refund')).toHaveLength(1);
  });
});
