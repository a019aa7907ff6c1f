/**
 * What any HTTP client meets before a route runs: 405 with Allow for a known path and another
 * method, 404 for an unknown path, 415 for a body that is not JSON, 413 past the body limit,
 * and refusals of a path or query that say what the field must be in words, never a pattern.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaProblems } from '../../src/admin/validation.js';
import { adminFixture, WRITE_TOKEN, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

describe('methods and paths', () => {
  it('answers 405 METHOD_NOT_ALLOWED with Allow for a method the path does not have', async () => {
    const answer = await f.call('DELETE', '/v1/tariffs');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
    expect(answer.body).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: '/v1/tariffs answers GET, HEAD, not DELETE',
    });

    const withParams = await f.call('POST', '/v1/accounts/8613800000001?x=1');
    expect(withParams.status).toBe(405);
    expect(withParams.headers.allow).toBe('GET, HEAD, PATCH');

    const probe = await f.call('POST', '/healthz', { token: null });
    expect([probe.status, probe.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('answers 404 ROUTE_NOT_FOUND for a path no method has', async () => {
    const answer = await f.call('GET', '/v1/accounts/8613800000001/nothing');
    expect(answer.status).toBe(404);
    expect(answer.headers.allow).toBeUndefined();
    expect(answer.body).toEqual({
      code: 'ROUTE_NOT_FOUND',
      message: 'no route GET /v1/accounts/8613800000001/nothing',
    });
  });
});

describe('bodies', () => {
  const body = '{"msisdn":"8613800000001","tariff":"std"}';

  it.each([
    ['text/plain', 'a body of type text/plain is not accepted: send application/json'],
    ['application/xml', 'a body of type application/xml is not accepted: send application/json'],
    [
      'application/x-www-form-urlencoded',
      'a body of type application/x-www-form-urlencoded is not accepted: send application/json',
    ],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE for %s', async (type, message) => {
    const msisdn = f.number();
    const answer = await f.call('POST', '/v1/accounts', {
      body: body.replace('8613800000001', msisdn),
      headers: { 'content-type': type },
    });
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', message });
    expect(await f.store.getAccount(msisdn)).toBeNull();
  });

  it('answers 415 for a body without a Content-Type', async () => {
    const answer = await f.app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: { authorization: `Bearer ${WRITE_TOKEN}` },
      payload: Buffer.from(body),
    });
    expect(answer.statusCode).toBe(415);
    expect(answer.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers 413 PAYLOAD_TOO_LARGE past 4 MiB', async () => {
    const answer = await f.call('POST', '/v1/provisioning', {
      body: `{"accounts":[],"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('still takes a route without a body, and YAML where the route says so', async () => {
    const resume = await f.call('POST', `/v1/vpn/activations/${f.number()}/resume`);
    expect(resume.body.code).toBe('ACTIVATION_NOT_FOUND');
    const yaml = await f.call('POST', '/v1/provisioning', {
      body: 'tariffs: []\n',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(yaml.status).toBe(200);
  });
});

describe('refusals in words', () => {
  const refused = async (method: string, url: string, body?: unknown) => {
    const answer = await f.call(method, url, body === undefined ? {} : { body });
    expect(answer.status, url).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(answer.body), 'no regular expression').not.toMatch(/pattern|\^|\$"|\\d|\[0-9\]/);
    return answer.body as { message: string; problems: { field: string; reason: string }[] };
  };

  it('says what an MSISDN, an id, a page size, a time and a page cursor must be', async () => {
    expect((await refused('GET', '/v1/accounts/12ab')).message).toBe(
      'params.msisdn: must be 5 to 15 digits (E.164 without +)',
    );
    expect((await refused('GET', '/v1/tariffs/no%20spaces')).message).toBe(
      'params.id: must be 1 to 64 letters, digits, dots, underscores or hyphens',
    );
    const msisdn = await f.account();
    for (const limit of ['0', '1001', 'ten']) {
      expect((await refused('GET', `/v1/accounts/${msisdn}/ledger?limit=${limit}`)).message).toBe(
        'querystring.limit: must be a whole number from 1 to 1000',
      );
    }
    expect((await refused('GET', `/v1/accounts/${msisdn}/cdrs?from=yesterday`)).problems).toEqual([
      {
        field: 'querystring.from',
        reason: 'must be a date (2026-03-01) or a time with its offset (2026-03-01T08:00:00Z)',
      },
    ]);
    expect((await refused('GET', `/v1/accounts/${msisdn}/ledger?before=abc`)).message).toBe(
      'querystring.before: must be the `next` of a previous page (<ms>-<seq>)',
    );
    expect(
      (await refused('DELETE', `/v1/vpn/groups/G1/members/${'9'.repeat(16)}`)).problems.map((p) => p.field),
    ).toEqual(['params.msisdn']);
  });

  it('says how many fields a change must name, and which fields are unknown', async () => {
    const msisdn = await f.account();
    const empty = await refused('PATCH', `/v1/accounts/${msisdn}`, {});
    expect(empty.problems.map((p) => p.field)).toEqual(['body']);
    const unknown = await refused('GET', `/v1/accounts/${msisdn}/ledger?page=2`);
    expect(unknown.problems).toEqual([{ field: 'querystring.page', reason: 'is not a known field' }]);
  });
});

describe('JSON Schema refusals', () => {
  const ajv = (keyword: string, params: Record<string, unknown>, instancePath = '/levels/0/price') => ({
    keyword,
    params,
    instancePath,
    schemaPath: '#',
    message: `ajv's own words for ${keyword}`,
  });

  it('rewrites each keyword in words, and never shows a pattern it does not know', () => {
    expect(
      schemaProblems('body', [
        ajv('pattern', { pattern: '^[a-z]{3}$' }),
        ajv('type', { type: 'integer' }),
        ajv('type', { type: ['string', 'null'] }),
        ajv('enum', { allowedValues: ['active', 'blocked'] }),
        ajv('minimum', { limit: 1 }),
        ajv('maxLength', { limit: 1 }),
        ajv('minProperties', { limit: 1 }, ''),
        ajv('required', { missingProperty: 'unit' }, '/levels/1'),
        ajv('additionalProperties', { additionalProperty: 'colour' }, ''),
      ]),
    ).toEqual([
      { field: 'body.levels[0].price', reason: 'is not in the expected form' },
      { field: 'body.levels[0].price', reason: 'must be a whole number' },
      { field: 'body.levels[0].price', reason: 'must be a string or null' },
      { field: 'body.levels[0].price', reason: 'must be one of "active", "blocked"' },
      { field: 'body.levels[0].price', reason: 'must be at least 1' },
      { field: 'body.levels[0].price', reason: 'must be at most 1 character' },
      { field: 'body', reason: 'must name at least 1 field' },
      { field: 'body.levels[1].unit', reason: 'is required' },
      { field: 'body.colour', reason: 'is not a known field' },
    ]);
  });
});
