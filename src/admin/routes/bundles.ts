/** An account's bundles: what is left and until when, and buying one once per reference. */
import type { FastifyPluginAsync } from 'fastify';
import { bundlePurchaseSchema, BundleService } from '../bundles.js';
import type { AdminContext } from '../context.js';
import { ADMIN_OP_TTL_SECONDS } from '../credits.js';
import { errorResponses, fromZod, msisdnParams, SECURITY, type JsonSchema } from '../schemas.js';

const units = (description: string) => ({ type: 'integer', description });

const bundleResource: JsonSchema = {
  type: 'object',
  properties: {
    bundle: { type: 'string', description: 'the id of the bundle bought' },
    bucket: {
      type: 'string',
      description: "the account's bucket of its units, `bundle:<id>:<end>`, as the account's buckets show it",
    },
    service: { type: 'string', enum: ['data', 'voice', 'sms'] },
    unit: { type: 'string', enum: ['octets', 'seconds', 'messages'] },
    ratingGroups: {
      type: 'array',
      items: { type: 'string' },
      description: 'data: the rating groups it pays for',
    },
    destinations: {
      type: 'array',
      items: { type: 'string' },
      description: "voice, SMS: the tariff's destinations it pays for",
    },
    units: units('bought'),
    left: units('usable now'),
    reserved: units('frozen by sessions in progress'),
    used: units('used'),
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: {
      type: 'string',
      format: 'date-time',
      description: 'from this instant what is left is not usable',
    },
    renews: { type: 'boolean', description: 'a calendar-month bundle the monthly run renews' },
  },
  required: [
    'bundle',
    'bucket',
    'service',
    'unit',
    'units',
    'left',
    'reserved',
    'used',
    'startsAt',
    'endsAt',
    'renews',
  ],
};

const purchaseResource: JsonSchema = {
  type: 'object',
  properties: {
    msisdn: { type: 'string' },
    reference: { type: 'string' },
    bundle: bundleResource,
    fee: { type: 'integer', description: 'minor units taken from money' },
    moneyAvailable: { type: 'integer', description: 'money available right after the purchase' },
    replayed: { type: 'boolean', description: 'the reference was used before: nothing changed now' },
  },
  required: ['msisdn', 'reference', 'bundle', 'fee', 'moneyAvailable', 'replayed'],
};

export function bundleRoutes(ctx: AdminContext): FastifyPluginAsync {
  const service = new BundleService({ redis: ctx.redis, store: ctx.store, now: ctx.now });
  return async (app) => {
    app.get<{ Params: { msisdn: string } }>(
      '/accounts/:msisdn/bundles',
      {
        schema: {
          tags: ['accounts'],
          operationId: 'listAccountBundles',
          summary: "an account's bundles: what is left of each and until when",
          description:
            'The bundles the account can still use, the one ending soonest first (the order grants take from ' +
            'them, before money). A bundle past its end is not listed: what was left of it is not usable.',
          security: SECURITY,
          params: msisdnParams,
          response: {
            200: {
              type: 'object',
              properties: { msisdn: { type: 'string' }, items: { type: 'array', items: bundleResource } },
              required: ['msisdn', 'items'],
            },
            ...errorResponses(404),
          },
        },
      },
      async (request) => service.list(request.params.msisdn),
    );

    app.post<{ Params: { msisdn: string } }>(
      '/accounts/:msisdn/bundles',
      {
        config: { bodySchema: bundlePurchaseSchema },
        schema: {
          tags: ['accounts'],
          operationId: 'buyAccountBundle',
          summary: 'buy a bundle for an account, once per reference, the fee from its money',
          description:
            "Takes the bundle's fee from money (above the minimum threshold) and gives its units from now, in one " +
            `step. The reference is the client's own; it is remembered per account for ${ADMIN_OP_TTL_SECONDS / 86_400} ` +
            'days: the same reference again buys nothing and answers 200 with the first figures (`replayed: true`); ' +
            'for another bundle it is refused (409 REFERENCE_REUSED). Without the money to pay the fee: 422 ' +
            'INSUFFICIENT_FUNDS and nothing changes (the same reference may be sent again after a top-up).',
          security: SECURITY,
          params: msisdnParams,
          body: fromZod(bundlePurchaseSchema, 'input'),
          response: {
            200: { ...purchaseResource, description: 'the reference was used before: nothing changed now' },
            201: { ...purchaseResource, description: 'bought now' },
            ...errorResponses(404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const result = await service.buy(request.params.msisdn, request.body);
        if (!result.replayed) await ctx.network?.bundleChanged(request.params.msisdn);
        return reply.code(result.replayed ? 200 : 201).send(result);
      },
    );
  };
}
