/** The OpenAPI document at /openapi.json and the UI at /docs; a whole document at /v1/provisioning. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ERRORS } from '../../src/admin/errors.js';
import { VPN_ERROR_STATUS } from '../../src/vpn/errors.js';
import { adminFixture, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

interface Operation {
  operationId?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
}

const ROUTES = [
  'GET /v1/tariffs',
  'GET /v1/tariffs/{id}',
  'PUT /v1/tariffs/{id}',
  'POST /v1/accounts',
  'GET /v1/accounts/{msisdn}',
  'PATCH /v1/accounts/{msisdn}',
  'POST /v1/accounts/{msisdn}/topups',
  'POST /v1/accounts/{msisdn}/refunds',
  'GET /v1/accounts/{msisdn}/sessions',
  'GET /v1/accounts/{msisdn}/ledger',
  'GET /v1/accounts/{msisdn}/cdrs',
  'GET /v1/vpn/groups',
  'GET /v1/vpn/groups/{id}',
  'PUT /v1/vpn/groups/{id}',
  'GET /v1/vpn/groups/{id}/members',
  'POST /v1/vpn/groups/{id}/members',
  'DELETE /v1/vpn/groups/{id}/members/{msisdn}',
  'GET /v1/vpn/packages',
  'GET /v1/vpn/packages/{id}',
  'PUT /v1/vpn/packages/{id}',
  'POST /v1/vpn/activations',
  'GET /v1/vpn/activations/{msisdn}',
  'POST /v1/vpn/activations/{msisdn}/resume',
  'POST /v1/vpn/monthly-runs',
  'POST /v1/provisioning',
];

describe('GET /openapi.json', () => {
  it('describes every /v1 route with its security, request body and answers', async () => {
    const answer = await f.call('GET', '/openapi.json', { token: null });
    expect(answer.status).toBe(200);
    const doc = answer.body as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
    );
    const v1 = operations.filter(([name]) => name.includes(' /v1/'));
    expect(v1.map(([name]) => name)).toEqual(expect.arrayContaining(ROUTES));
    for (const [name, op] of v1) {
      expect(op.security, name).toEqual([{ bearer: [] }]);
      expect(Object.keys(op.responses), name).toEqual(
        expect.arrayContaining(['400', '401', '403', '429', '503']),
      );
      if (ROUTES.includes(name) && /^(POST|PUT|PATCH) /.test(name) && !name.endsWith('/resume')) {
        expect(op.requestBody?.content['application/json']?.schema, name).toBeDefined();
      }
      if (op.requestBody) {
        expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['413', '415']));
      }
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['AdminError', 'Bucket', 'Membership', 'Activation']),
    );
    expect(JSON.stringify(doc)).not.toMatch(/def-\d/);
    expect(operations.map(([name]) => name)).toEqual(
      expect.arrayContaining(['GET /healthz', 'GET /readyz', 'GET /metrics']),
    );
  });

  it('names every operation, each with an operationId of its own', async () => {
    const doc = (await f.call('GET', '/openapi.json', { token: null })).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        name: `${method.toUpperCase()} ${path}`,
        id: op.operationId,
      })),
    );
    expect(operations.filter((o) => !o.id).map((o) => o.name)).toEqual([]);
    const ids = operations.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);
  });

  it('marks the probes, the metrics without METRICS_TOKEN and the document itself as open', async () => {
    const doc = (await f.call('GET', '/openapi.json', { token: null })).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect(doc.paths[path]?.get?.security, path).toEqual([]);
    }
    const guarded = await adminFixture({ metricsToken: 'metrics-token-for-tests-0123' });
    try {
      const guardedDoc = (await guarded.call('GET', '/openapi.json', { token: null })).body as typeof doc;
      expect(guardedDoc.paths['/metrics']?.get?.security).toEqual([{ bearer: [] }]);
    } finally {
      await guarded.cleanup();
    }
  });

  it('serves the UI at /docs', async () => {
    const answer = await f.call('GET', '/docs', { token: null });
    const page =
      answer.status === 302 ? await f.call('GET', String(answer.headers.location), { token: null }) : answer;
    expect(page.status).toBe(200);
    expect(String(page.headers['content-type'])).toMatch(/text\/html/);
    expect(String(page.body)).toMatch(/swagger/i);
  });
});

describe('the error catalogue', () => {
  it('keeps the VPN refusals with their codes and statuses', () => {
    for (const [code, status] of Object.entries(VPN_ERROR_STATUS)) {
      if (code === 'INVALID') continue;
      expect(ADMIN_ERRORS[code as keyof typeof ADMIN_ERRORS]?.status, code).toBe(status);
    }
  });
});

describe('POST /v1/provisioning', () => {
  it('applies a whole document, JSON or YAML', async () => {
    const msisdn = f.number();
    const answer = await f.call('POST', '/v1/provisioning', {
      body: {
        tariffs: [{ id: 'doc-t', currency: 'CNY', sms: { pricePerMessage: 10 } }],
        accounts: [{ msisdn, tariff: 'doc-t', balance: 300 }],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ tariffs: 1, accountsCreated: 1, accountsUpdated: 0 });
    expect((await f.store.getAccount(msisdn))?.buckets.money?.available).toBe(300);

    const yaml = await f.call('POST', '/v1/provisioning', {
      body: `accounts:\n  - { msisdn: "${msisdn}", tariff: doc-t, balance: 999, status: blocked }\n`,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(yaml.status).toBe(200);
    expect(yaml.body).toEqual({ tariffs: 0, accountsCreated: 0, accountsUpdated: 1 });
    expect(await f.store.getAccount(msisdn)).toMatchObject({
      status: 'blocked',
      buckets: { money: { available: 300 } },
    });
  });

  it('applies nothing of a document with a problem, and names each (422 DOCUMENT_REJECTED)', async () => {
    const msisdn = f.number();
    const answer = await f.call('POST', '/v1/provisioning', {
      body: {
        accounts: [{ msisdn, tariff: 'std' }],
        vpn: {
          groups: [
            {
              id: 'DOC-G',
              name: 'g',
              extensionLength: 4,
              maxMembers: 10,
              members: [{ msisdn, shortNumber: '60001', identity: 'belongs' }],
            },
          ],
        },
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      code: 'DOCUMENT_REJECTED',
      problems: [
        {
          field: 'body.vpn.groups[0].members[0].shortNumber',
          reason: "length 5, the group's extension length is 4",
        },
      ],
    });
    expect(await f.store.getAccount(msisdn)).toBeNull();
  });

  it('answers 400 for YAML that does not parse', async () => {
    const answer = await f.call('POST', '/v1/provisioning', {
      body: 'accounts: [',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});
