/** Bearer tokens of /v1 with read and write scopes, /metrics behind METRICS_TOKEN, open health checks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, tokenMatcher, tokensFromConfig } from '../../src/admin/auth.js';
import { adminFixture, READ_TOKEN, TOKENS, WRITE_TOKEN, type AdminFixture } from './fixture.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123';

let f: AdminFixture;
let locked: AdminFixture;
let disabled: AdminFixture;
beforeAll(async () => {
  [f, locked, disabled] = await Promise.all([
    adminFixture(),
    adminFixture({ metricsToken: METRICS_TOKEN }),
    adminFixture({ tokens: [] }),
  ]);
});
afterAll(() => Promise.all([f.cleanup(), locked.cleanup(), disabled.cleanup()]));

describe('/v1 bearer tokens', () => {
  it('answers 401 without a token, with a wrong one, or with another scheme', async () => {
    const msisdn = await f.account();
    const cases: [string | null, Record<string, string>][] = [
      [null, {}],
      ['not-a-configured-token-at-all', {}],
      [null, { authorization: `Basic ${Buffer.from(`u:${WRITE_TOKEN}`).toString('base64')}` }],
      [null, { authorization: WRITE_TOKEN }],
      [`${WRITE_TOKEN}x`, {}],
      [WRITE_TOKEN.slice(0, -1), {}],
    ];
    for (const [token, headers] of cases) {
      const answer = await f.call('GET', `/v1/accounts/${msisdn}`, { token, headers });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHORIZED');
      expect(String(answer.headers['www-authenticate'])).toMatch(/^Bearer realm="ocs-admin"/);
    }
  });

  it('logs a refusal with its reason and never the token', async () => {
    const msisdn = await f.account();
    const wrong = 'wrong-token-that-must-not-be-logged';
    await f.call('POST', `/v1/accounts/${msisdn}/topups`, {
      token: wrong,
      body: { amount: 1, reference: 'x' },
    });
    const line = f.logs.find((l) => l.msg === 'admin API: authentication refused' && l.method === 'POST');
    expect(line).toMatchObject({ url: `/v1/accounts/${msisdn}/topups`, reason: 'unknown token', level: 40 });
    const all = JSON.stringify(f.logs);
    expect(all).not.toContain(wrong);
    expect(all).not.toContain(WRITE_TOKEN);
    expect(all).not.toContain(READ_TOKEN);
  });

  it('lets a read token GET and refuses it every change (403 INSUFFICIENT_SCOPE)', async () => {
    const msisdn = await f.account(100);
    expect((await f.call('GET', `/v1/accounts/${msisdn}`, { token: READ_TOKEN })).status).toBe(200);
    expect((await f.call('GET', '/v1/tariffs', { token: READ_TOKEN })).status).toBe(200);
    const changes: [string, string, unknown][] = [
      ['POST', `/v1/accounts/${msisdn}/topups`, { amount: 1, reference: 'ro' }],
      ['PATCH', `/v1/accounts/${msisdn}`, { status: 'blocked' }],
      ['POST', '/v1/accounts', { msisdn: f.number(), tariff: 'std' }],
      ['PUT', '/v1/tariffs/ro', { currency: 'CNY' }],
      ['POST', '/v1/vpn/monthly-runs', {}],
    ];
    for (const [method, path, body] of changes) {
      const answer = await f.call(method, path, { token: READ_TOKEN, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.code).toBe('INSUFFICIENT_SCOPE');
    }
    expect(await f.store.getAccount(msisdn)).toMatchObject({
      status: 'active',
      buckets: { money: { available: 100 } },
    });
  });

  it('logs each change with the name of its token', async () => {
    const msisdn = await f.account(0);
    await f.call('POST', `/v1/accounts/${msisdn}/topups`, { body: { amount: 1, reference: 'audit' } });
    expect(f.logs).toContainEqual(
      expect.objectContaining({
        msg: 'admin API: change',
        token: 'ops',
        method: 'POST',
        url: `/v1/accounts/${msisdn}/topups`,
        status: 201,
      }),
    );
  });

  it('refuses every /v1 call with 503 ADMIN_DISABLED when no token is configured', async () => {
    const answer = await disabled.call('GET', '/v1/tariffs');
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('ADMIN_DISABLED');
  });
});

describe('tokens', () => {
  it('matches the configured token whatever its position, and nothing else', () => {
    const match = tokenMatcher(TOKENS);
    expect(match(WRITE_TOKEN)?.name).toBe('ops');
    expect(match(READ_TOKEN)?.name).toBe('dashboard');
    expect(match('')).toBeUndefined();
    expect(match(WRITE_TOKEN.toUpperCase())).toBeUndefined();
    expect(tokenMatcher([])(WRITE_TOKEN)).toBeUndefined();
  });

  it('reads the token of a Bearer header, the scheme in any case', () => {
    expect(bearerToken(`Bearer ${WRITE_TOKEN}`)).toBe(WRITE_TOKEN);
    expect(bearerToken(`bearer ${WRITE_TOKEN}`)).toBe(WRITE_TOKEN);
    expect(bearerToken(`Bearer`)).toBeUndefined();
    expect(bearerToken(`Bearer a b`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('takes ADMIN_TOKEN as a write token named admin, beside ADMIN_TOKENS', () => {
    expect(tokensFromConfig({ adminToken: WRITE_TOKEN, adminTokens: [TOKENS[1]!] })).toEqual([
      { name: 'admin', scope: 'write', token: WRITE_TOKEN },
      TOKENS[1],
    ]);
    expect(tokensFromConfig({ adminToken: undefined, adminTokens: [] })).toEqual([]);
  });
});

describe('health, readiness and metrics', () => {
  it('serves /healthz and /readyz without a token', async () => {
    expect(await f.call('GET', '/healthz', { token: null })).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    expect(await f.call('GET', '/readyz', { token: null })).toMatchObject({
      status: 200,
      body: { status: 'ready' },
    });
    const notReady = await adminFixture({ ready: async () => false });
    try {
      expect(await notReady.call('GET', '/readyz', { token: null })).toMatchObject({
        status: 503,
        body: { status: 'not ready' },
      });
    } finally {
      await notReady.cleanup();
    }
  });

  it('serves /metrics openly without METRICS_TOKEN', async () => {
    const answer = await f.call('GET', '/metrics', { token: null });
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/plain/);
  });

  it('serves /metrics only with METRICS_TOKEN when it is set', async () => {
    expect((await locked.call('GET', '/metrics', { token: null })).status).toBe(401);
    expect((await locked.call('GET', '/metrics', { token: WRITE_TOKEN })).status).toBe(401);
    const answer = await locked.call('GET', '/metrics', { token: METRICS_TOKEN });
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/plain/);
    expect((await locked.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect(JSON.stringify(locked.logs)).not.toContain(METRICS_TOKEN);
  });

  it('answers 404 ROUTE_NOT_FOUND for a route that does not exist', async () => {
    const answer = await f.call('GET', '/v2/nothing', { token: null });
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('ROUTE_NOT_FOUND');
  });
});
