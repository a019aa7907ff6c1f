/** The account over the admin API while credit control moves its money (DESIGN §4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  CONTEXT,
  CcSession,
  mscc,
  seconds,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';

let ocs: OcsFixture;
beforeAll(async () => {
  ocs = await startOcs();
});
afterAll(() => ocs.close());

/** `token` null sends no Authorization header. */
function get(path: string, token: string | null = ADMIN_TOKEN): Promise<Response> {
  return fetch(`http://127.0.0.1:${ocs.server.httpPort}${path}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('GET /v1/accounts/{msisdn}', () => {
  it('returns the balances as credit control leaves them', async () => {
    const msisdn = await ocs.account({ balance: 500 });
    const s = new CcSession(ocs, CONTEXT.voice, msisdn);
    await s.initial([mscc(100, { rsu: [seconds(120)] })]);

    const during = await get(`/v1/accounts/${msisdn}`);
    expect(during.status).toBe(200);
    expect(await during.json()).toEqual({
      msisdn,
      status: 'active',
      prepaid: true,
      validUntil: null,
      expiresAt: null,
      minThreshold: 0,
      tariff: 'std',
      currency: 'CNY',
      buckets: { money: { available: 470, reserved: 30, spent: 0 } },
      resetPeriods: {},
      vpn: { memberships: [], activation: null },
    });

    await s.terminate([mscc(100, { usu: [[seconds(61)]] })]);
    const after = (await (await get(`/v1/accounts/${msisdn}`)).json()) as { buckets: unknown };
    expect(after.buckets).toEqual({ money: { available: 470, reserved: 0, spent: 30 } });
  });

  it('answers 401 without the bearer token or with a wrong one', async () => {
    const msisdn = await ocs.account();
    expect((await get(`/v1/accounts/${msisdn}`, null)).status).toBe(401);
    expect((await get(`/v1/accounts/${msisdn}`, 'not-the-token-at-all')).status).toBe(401);
  });

  it('answers 404 for an unknown account', async () => {
    const response = await get('/v1/accounts/8613700000404');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
  });
});
