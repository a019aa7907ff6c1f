/** Accounts over the admin API: create, read, change attributes (DESIGN §6 shapes). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFixture, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

const money = (available: number, reserved = 0, spent = 0) => ({ money: { available, reserved, spent } });

describe('POST /v1/accounts', () => {
  it('creates the account of a provisioning-document entry, with its opening balance', async () => {
    const msisdn = f.number();
    const created = await f.call('POST', '/v1/accounts', {
      body: { msisdn, tariff: 'std', balance: 10000, validUntil: '2027-12-31', minThreshold: 50 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/accounts/${msisdn}`);
    expect(created.body).toEqual({
      msisdn,
      status: 'active',
      prepaid: true,
      tariff: 'std',
      currency: 'CNY',
      validUntil: '2027-12-31',
      expiresAt: '2028-01-01T00:00:00.000Z',
      minThreshold: 50,
      buckets: money(10000),
      resetPeriods: {},
      vpn: { memberships: [], activation: null },
    });
    const read = await f.call('GET', `/v1/accounts/${msisdn}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('answers 409 ACCOUNT_EXISTS for an MSISDN that has an account, and changes nothing', async () => {
    const msisdn = await f.account(700);
    const again = await f.call('POST', '/v1/accounts', {
      body: { msisdn, tariff: 'std', balance: 5, status: 'blocked' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ACCOUNT_EXISTS' });
    expect(again.body.message).toContain(msisdn);
    const account = await f.store.getAccount(msisdn);
    expect(account).toMatchObject({ status: 'active', buckets: money(700) });
  });

  it('creates one account when the same creation races itself', async () => {
    const msisdn = f.number();
    const body = { msisdn, tariff: 'std', balance: 300 };
    const answers = await Promise.all([1, 2, 3].map(() => f.call('POST', '/v1/accounts', { body })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect((await f.store.getAccount(msisdn))?.buckets).toEqual(money(300));
  });

  it('answers 422 UNKNOWN_TARIFF for a tariff that is not provisioned', async () => {
    const msisdn = f.number();
    const answer = await f.call('POST', '/v1/accounts', { body: { msisdn, tariff: 'gold' } });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'UNKNOWN_TARIFF' });
    expect(await f.store.getAccount(msisdn)).toBeNull();
  });

  it('answers 400 naming the field and why, in the words of the provisioning document', async () => {
    const bad = await f.call('POST', '/v1/accounts', { body: { msisdn: '+8613', tariff: 'std' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'body.msisdn: must be 5 to 15 digits (E.164 without +)',
      problems: [{ field: 'body.msisdn', reason: 'must be 5 to 15 digits (E.164 without +)' }],
    });

    const negative = await f.call('POST', '/v1/accounts', {
      body: { msisdn: f.number(), tariff: 'std', balance: -5 },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.problems).toEqual([{ field: 'body.balance', reason: 'must not be negative' }]);

    const unknown = await f.call('POST', '/v1/accounts', {
      body: { msisdn: f.number(), tariff: 'std', colour: 'red' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems[0].field).toBe('body');
    expect(unknown.body.message).toMatch(/colour/);

    const date = await f.call('POST', '/v1/accounts', {
      body: { msisdn: f.number(), tariff: 'std', validUntil: '2027-02-30' },
    });
    expect(date.status).toBe(400);
    expect(date.body.problems).toEqual([{ field: 'body.validUntil', reason: 'is not a calendar date' }]);

    const text = await f.call('POST', '/v1/accounts', {
      body: { msisdn: f.number(), tariff: 'std', balance: '100' },
    });
    expect(text.status).toBe(400);
    expect(text.body.problems[0].field).toBe('body.balance');
  });

  it('answers 400 INVALID_JSON for a body that is not JSON', async () => {
    const answer = await f.call('POST', '/v1/accounts', {
      body: '{"msisdn": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('INVALID_JSON');
  });

  it('points the IMSI and NAI at the account, and refuses one that names another account', async () => {
    const first = f.number();
    const imsi = `46000${first.slice(-9)}`;
    expect(
      (await f.call('POST', '/v1/accounts', { body: { msisdn: first, tariff: 'std', imsi } })).status,
    ).toBe(201);
    expect(await f.redis.get(f.sessionKeys.alias('imsi', imsi))).toBe(first);

    const second = f.number();
    const nai = `${second}@ims.example`;
    const taken = await f.call('POST', '/v1/accounts', {
      body: { msisdn: second, tariff: 'std', nai, imsi },
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      code: 'ALIAS_TAKEN',
      message: `imsi ${imsi} already names account ${first}`,
    });
    // Nothing of the refused creation is left: no account, and the NAI it claimed is free again.
    expect(await f.store.getAccount(second)).toBeNull();
    expect(await f.redis.get(f.sessionKeys.alias('nai', nai))).toBeNull();
  });
});

describe('GET /v1/accounts/{msisdn}', () => {
  it('answers 404 ACCOUNT_NOT_FOUND for an unknown account', async () => {
    const answer = await f.call('GET', `/v1/accounts/${f.number()}`);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('answers 400 for an MSISDN that is not one', async () => {
    const answer = await f.call('GET', '/v1/accounts/86-138');
    expect(answer.status).toBe(400);
    expect(answer.body.problems[0].field).toBe('params.msisdn');
  });

  it('shows free-credit buckets and the VPN package state', async () => {
    const msisdn = await f.account(10_000);
    await f.store.resetFreeCredits({ msisdn, buckets: { 'vpn:vpn-300:L0': 18000 }, period: '2026-03' });
    const answer = await f.call('GET', `/v1/accounts/${msisdn}`);
    expect(answer.body.buckets).toEqual({
      ...money(10_000),
      'vpn:vpn-300:L0': { available: 18000, reserved: 0, spent: 0 },
    });
    expect(answer.body.resetPeriods).toEqual({ 'vpn:vpn-300:L0': '2026-03' });
  });
});

describe('PATCH /v1/accounts/{msisdn}', () => {
  it('blocks, reports lost and unblocks without touching balances or the ledger', async () => {
    const msisdn = await f.account(1234);
    const ledgerBefore = await f.store.readLedger(msisdn);
    for (const status of ['blocked', 'lost', 'active'] as const) {
      const answer = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { status } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status, buckets: money(1234), tariff: 'std', prepaid: true });
    }
    expect(await f.store.readLedger(msisdn)).toEqual(ledgerBefore);
  });

  it('changes the tariff, validity and threshold, and clears the validity with null', async () => {
    const msisdn = await f.account(100);
    await f.catalog.put({ ...{ id: 'std-2', currency: 'CNY', sms: { pricePerMessage: 5 } } });
    const set = await f.call('PATCH', `/v1/accounts/${msisdn}`, {
      body: { tariff: 'std-2', validUntil: '2026-12-31', minThreshold: 10 },
    });
    expect(set.body).toMatchObject({
      tariff: 'std-2',
      validUntil: '2026-12-31',
      minThreshold: 10,
      status: 'active',
    });
    const cleared = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { validUntil: null } });
    expect(cleared.body).toMatchObject({ validUntil: null, expiresAt: null, tariff: 'std-2' });
  });

  it('refuses a tariff in another currency (422 CURRENCY_MISMATCH) and an unknown one (422)', async () => {
    const msisdn = await f.account(100);
    const eur = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { tariff: 'eur' } });
    expect(eur.status).toBe(422);
    expect(eur.body).toMatchObject({
      code: 'CURRENCY_MISMATCH',
      message: 'tariff eur is in EUR, account ' + msisdn + ' holds CNY',
    });
    const unknown = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { tariff: 'gold' } });
    expect(unknown.body.code).toBe('UNKNOWN_TARIFF');
    expect((await f.store.getAccount(msisdn))?.tariff).toBe('std');
  });

  it('refuses to make a belonging VPN member postpaid (409 POSTPAID_MEMBER)', async () => {
    const msisdn = await f.account(100);
    await f.call('PUT', '/v1/vpn/groups/PATCH-G', {
      body: { name: 'g', extensionLength: 4, maxMembers: 10 },
    });
    await f.call('POST', '/v1/vpn/groups/PATCH-G/members', {
      body: { msisdn, shortNumber: '6001', identity: 'belongs' },
    });
    const answer = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { prepaid: false } });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('POSTPAID_MEMBER');
    expect(answer.body.message).toContain('PATCH-G');
    expect((await f.store.getAccount(msisdn))?.prepaid).toBe(true);
  });

  it('answers 404 for an unknown account and 400 for an empty or unknown change', async () => {
    expect(
      (await f.call('PATCH', `/v1/accounts/${f.number()}`, { body: { status: 'blocked' } })).status,
    ).toBe(404);
    const msisdn = await f.account();
    const empty = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: {} });
    expect(empty.status).toBe(400);
    const balance = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { balance: 5 } });
    expect(balance.status).toBe(400);
    expect(balance.body.message).toMatch(/balance/);
    const status = await f.call('PATCH', `/v1/accounts/${msisdn}`, { body: { status: 'frozen' } });
    expect(status.status).toBe(400);
    expect(status.body.problems[0].field).toBe('body.status');
  });
});
