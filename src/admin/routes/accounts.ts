/** Accounts: create (the provisioning document's shape), read with balances and VPN state, change attributes. */
import type { FastifyPluginAsync } from 'fastify';
import { accountSchema } from '../../catalog/schema.js';
import { accountPatchSchema } from '../accounts.js';
import type { AdminContext } from '../context.js';
import { errorResponses, fromZod, msisdnParams, ref, SECURITY, type JsonSchema } from '../schemas.js';

const nullableString = (description: string) => ({ type: ['string', 'null'], description });

export const accountResource: JsonSchema = {
  type: 'object',
  properties: {
    msisdn: { type: 'string' },
    status: { type: 'string', enum: ['active', 'blocked', 'lost'] },
    prepaid: { type: 'boolean' },
    tariff: { type: 'string' },
    currency: { type: 'string', description: 'ISO 4217, from the tariff' },
    validUntil: nullableString('last valid day (UTC), YYYY-MM-DD; null: no limit'),
    expiresAt: nullableString('the instant the account expires, ISO 8601; null: no limit'),
    minThreshold: { type: 'integer' },
    buckets: {
      type: 'object',
      description:
        '`money` (minor units) and the free credits of VPN package levels (`vpn:<package>:L<n>`: seconds, or minor units of a money credit)',
      additionalProperties: ref('Bucket'),
    },
    resetPeriods: {
      type: 'object',
      description: "month (YYYY-MM) of each free-credit bucket's last reset",
      additionalProperties: { type: 'string' },
    },
    vpn: {
      type: 'object',
      properties: {
        memberships: { type: 'array', items: ref('Membership') },
        activation: { anyOf: [ref('Activation'), { type: 'null' }] },
      },
      required: ['memberships', 'activation'],
    },
  },
  required: [
    'msisdn',
    'status',
    'prepaid',
    'tariff',
    'currency',
    'validUntil',
    'expiresAt',
    'minThreshold',
    'buckets',
    'resetPeriods',
    'vpn',
  ],
};

export function accountRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    app.post(
      '/accounts',
      {
        config: { bodySchema: accountSchema },
        schema: {
          tags: ['accounts'],
          operationId: 'createAccount',
          summary: 'create an account',
          description:
            'The shape of an account of the provisioning document; `balance` is the opening money, in minor units. ' +
            '`imsi` and `nai` are other identities credit control resolves to this account.',
          security: SECURITY,
          body: fromZod(accountSchema, 'input'),
          response: { 201: accountResource, ...errorResponses(409, 422) },
        },
      },
      async (request, reply) => {
        const account = await ctx.accounts.create(request.body);
        return reply.code(201).header('location', `/v1/accounts/${account.msisdn}`).send(account);
      },
    );

    app.get<{ Params: { msisdn: string } }>(
      '/accounts/:msisdn',
      {
        schema: {
          tags: ['accounts'],
          operationId: 'getAccount',
          summary:
            'an account: attributes, every bucket (available, reserved, spent), VPN memberships and package',
          security: SECURITY,
          params: msisdnParams,
          response: { 200: accountResource, ...errorResponses(404) },
        },
      },
      async (request) => ctx.accounts.show(request.params.msisdn),
    );

    app.patch<{ Params: { msisdn: string } }>(
      '/accounts/:msisdn',
      {
        config: { bodySchema: accountPatchSchema },
        schema: {
          tags: ['accounts'],
          operationId: 'updateAccount',
          summary: 'change attributes: block, report lost, unblock; tariff, validity, threshold, prepaid',
          description:
            '`{"status":"blocked"}` blocks, `{"status":"lost"}` reports the subscriber lost, `{"status":"active"}` ' +
            'unblocks. Balances, reservations and the ledger are never touched. A tariff must be in the ' +
            "account's currency; an account that belongs to a VPN group cannot turn postpaid.",
          security: SECURITY,
          params: msisdnParams,
          body: { ...fromZod(accountPatchSchema, 'input'), minProperties: 1 },
          response: { 200: accountResource, ...errorResponses(404, 409, 422) },
        },
      },
      async (request) => ctx.accounts.update(request.params.msisdn, request.body),
    );
  };
}
