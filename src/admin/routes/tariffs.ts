/** Tariffs, in the shape of the provisioning document; a change reaches every instance by pub/sub. */
import type { FastifyPluginAsync } from 'fastify';
import { tariffSchema } from '../../catalog/schema.js';
import type { AdminContext } from '../context.js';
import { AdminError } from '../errors.js';
import { bodyWithPathId } from '../path-id.js';
import { errorResponses, fromZod, idParams, listOf, SECURITY } from '../schemas.js';

/** The body of PUT: the id may be left out, it is the path's. */
const tariffBody = tariffSchema.partial({ id: true });
const tariffResource = fromZod(tariffSchema, 'output');

export function tariffRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/tariffs',
      {
        schema: {
          tags: ['tariffs'],
          operationId: 'listTariffs',
          summary: 'every tariff',
          security: SECURITY,
          response: { 200: listOf(tariffResource), ...errorResponses() },
        },
      },
      async () => ({ items: (await ctx.catalog.list()).sort((a, b) => a.id.localeCompare(b.id)) }),
    );

    app.get<{ Params: { id: string } }>(
      '/tariffs/:id',
      {
        schema: {
          tags: ['tariffs'],
          operationId: 'getTariff',
          summary: 'a tariff',
          security: SECURITY,
          params: idParams,
          response: { 200: tariffResource, ...errorResponses(404) },
        },
      },
      async (request) => {
        const tariff = await ctx.catalog.get(request.params.id);
        if (!tariff) throw new AdminError('TARIFF_NOT_FOUND', `no tariff ${request.params.id}`);
        return tariff;
      },
    );

    app.put<{ Params: { id: string } }>(
      '/tariffs/:id',
      {
        config: { bodySchema: tariffBody },
        schema: {
          tags: ['tariffs'],
          operationId: 'putTariff',
          summary: 'create or replace a tariff',
          description:
            'Prices in minor units of `currency` per started unit. Accounts on the tariff are rated by the new ' +
            'prices from their next request; a session keeps the grant it holds.',
          security: SECURITY,
          params: idParams,
          body: fromZod(tariffBody, 'input'),
          response: {
            200: { ...tariffResource, description: 'replaced' },
            201: { ...tariffResource, description: 'created' },
            ...errorResponses(),
          },
        },
      },
      async (request, reply) => {
        const tariff = bodyWithPathId(tariffSchema, request.body, request.params.id);
        const existed = (await ctx.catalog.list()).some((t) => t.id === tariff.id);
        await ctx.catalog.put(tariff);
        if (existed) await ctx.network?.tariffChanged(tariff.id);
        return reply.code(existed ? 200 : 201).send(tariff);
      },
    );
  };
}
