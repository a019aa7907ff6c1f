/** Tariffs over the admin API, in the shape of the provisioning document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFixture, STD_TARIFF, type AdminFixture } from './fixture.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f.cleanup());

const DATA = {
  currency: 'CNY',
  data: { ratingGroups: { '10': { unitOctets: 1048576, pricePerUnit: 30 } } },
};

describe('tariffs', () => {
  it('creates (201), replaces (200) and reads a tariff, defaults filled in', async () => {
    const created = await f.call('PUT', '/v1/tariffs/data-1', { body: DATA });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'data-1', ...DATA });
    const replaced = await f.call('PUT', '/v1/tariffs/data-1', {
      body: { id: 'data-1', currency: 'CNY', voice: { unitSeconds: 30, pricePerUnit: 8 } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.voice).toEqual({ unitSeconds: 30, pricePerUnit: 8, terminatingPricePerUnit: 0 });
    expect((await f.call('GET', '/v1/tariffs/data-1')).body).toEqual(replaced.body);
    expect((await f.catalog.get('data-1'))?.voice?.pricePerUnit).toBe(8);
  });

  it('lists every tariff by id', async () => {
    const answer = await f.call('GET', '/v1/tariffs');
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((t: { id: string }) => t.id)).toEqual(
      [...answer.body.items.map((t: { id: string }) => t.id)].sort(),
    );
    expect(answer.body.items).toContainEqual({
      ...STD_TARIFF,
      voice: { ...STD_TARIFF.voice },
    });
  });

  it('answers 404 TARIFF_NOT_FOUND for an unknown tariff', async () => {
    const answer = await f.call('GET', '/v1/tariffs/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('TARIFF_NOT_FOUND');
  });

  it('answers 400 naming the field: unknown currency, bad rating group, id unlike the path', async () => {
    const currency = await f.call('PUT', '/v1/tariffs/t-x', { body: { currency: 'XXY' } });
    expect(currency.status).toBe(400);
    expect(currency.body.problems).toEqual([
      { field: 'body.currency', reason: 'must be an ISO 4217 code such as CNY or EUR' },
    ]);
    const group = await f.call('PUT', '/v1/tariffs/t-x', {
      body: { currency: 'CNY', data: { ratingGroups: { ten: { unitOctets: 1, pricePerUnit: 1 } } } },
    });
    expect(group.status).toBe(400);
    expect(group.body.problems[0].field).toBe('body.data.ratingGroups.ten');
    const price = await f.call('PUT', '/v1/tariffs/t-x', {
      body: { currency: 'CNY', voice: { unitSeconds: 0, pricePerUnit: 1 } },
    });
    expect(price.status).toBe(400);
    expect(price.body.problems).toEqual([
      { field: 'body.voice.unitSeconds', reason: 'must be greater than 0' },
    ]);
    const id = await f.call('PUT', '/v1/tariffs/t-x', { body: { id: 't-y', currency: 'CNY' } });
    expect(id.status).toBe(400);
    expect(id.body.problems).toEqual([{ field: 'body.id', reason: 'is "t-y", the path names t-x' }]);
    expect(await f.catalog.get('t-x')).toBeUndefined();
  });
});
