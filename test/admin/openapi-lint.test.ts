/**
 * The OpenAPI document passes Redocly's `recommended` rules with an operationId required on
 * every operation (scripts/ci/openapi-lint.mjs, which CI runs on the built server), and can be
 * built without a Redis.
 */
import { describe, expect, it } from 'vitest';
import { lintOpenApi } from '../../scripts/ci/openapi-lint.mjs';
import { openApiDocument } from '../../src/admin/openapi-document.js';

describe('the OpenAPI document', () => {
  it('is built without a Redis, and Redocly finds no error in it', async () => {
    const document = await openApiDocument();
    expect(document.openapi).toBe('3.1.0');
    const problems = await lintOpenApi(document);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    // Warnings left: probes that take no input have no 4XX answer to describe.
    expect(problems.map((p) => `${p.rule} ${p.where}`).sort()).toEqual([
      'operation-4xx-response #/paths/~1healthz/get/responses',
      'operation-4xx-response #/paths/~1openapi.json/get/responses',
      'operation-4xx-response #/paths/~1readyz/get/responses',
    ]);
  });

  it('reports an operation without an operationId as an error', async () => {
    const document = structuredClone(await openApiDocument()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const tariffs = document.paths['/v1/tariffs']?.get;
    expect(tariffs?.operationId).toBe('listTariffs');
    delete tariffs?.operationId;
    const errors = (await lintOpenApi(document)).filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        rule: 'operation-operationId',
        where: '#/paths/~1v1~1tariffs/get/operationId',
      }),
    ]);
  });
});
