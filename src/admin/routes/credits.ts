/** Top-ups and refunds, idempotent by the client's reference. */
import type { FastifyPluginAsync } from 'fastify';
import type { AdminContext } from '../context.js';
import { ADMIN_OP_TTL_SECONDS, creditSchema, type CreditKind } from '../credits.js';
import { errorResponses, fromZod, msisdnParams, SECURITY, type JsonSchema } from '../schemas.js';

const creditResource: JsonSchema = {
  type: 'object',
  properties: {
    msisdn: { type: 'string' },
    kind: { type: 'string', enum: ['topup', 'refund'] },
    reference: { type: 'string' },
    amount: { type: 'integer' },
    bucket: { type: 'string' },
    available: { type: 'integer', description: 'available in the bucket right after this credit' },
    replayed: { type: 'boolean', description: 'the reference was applied before: nothing changed now' },
  },
  required: ['msisdn', 'kind', 'reference', 'amount', 'bucket', 'available', 'replayed'],
};

const DAYS = ADMIN_OP_TTL_SECONDS / 86_400;

const WHAT: Record<CreditKind, { path: string; operationId: string; summary: string; description: string }> =
  {
    topup: {
      path: '/accounts/:msisdn/topups',
      operationId: 'topUpAccount',
      summary: 'top up an account, once per reference',
      description:
        `Adds \`amount\` (minor units) to the available part of \`bucket\` (default money). The reference is the ` +
        `client's own (a voucher or payment id); it is remembered per account for ${DAYS} days: the same ` +
        'reference again tops up nothing and answers 200 with the first figures (`replayed: true`); with another ' +
        'amount or bucket it is refused (409 REFERENCE_REUSED).',
    },
    refund: {
      path: '/accounts/:msisdn/refunds',
      operationId: 'refundAccount',
      summary: 'refund an amount to an account, once per reference',
      description:
        'Gives an amount back to the available part of `bucket` (RFC 4006 REFUND_ACCOUNT); spent stays as it was. ' +
        `References are remembered per account for ${DAYS} days, apart from those of top-ups.`,
    },
  };

export function creditRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    for (const kind of ['topup', 'refund'] as const) {
      const what = WHAT[kind];
      app.post<{ Params: { msisdn: string } }>(
        what.path,
        {
          config: { bodySchema: creditSchema },
          schema: {
            tags: ['accounts'],
            operationId: what.operationId,
            summary: what.summary,
            description: what.description,
            security: SECURITY,
            params: msisdnParams,
            body: fromZod(creditSchema, 'input'),
            response: {
              200: {
                ...creditResource,
                description: 'the reference was applied before: nothing changed now',
              },
              201: { ...creditResource, description: 'credited now' },
              ...errorResponses(404, 409, 422),
            },
          },
        },
        async (request, reply) => {
          const result = await ctx.credits.credit(kind, request.params.msisdn, request.body);
          return reply.code(result.replayed ? 200 : 201).send(result);
        },
      );
    }
  };
}
