/** The open credit-control sessions of an account and the money they hold. */
import type { FastifyPluginAsync } from 'fastify';
import { accountNotFound } from '../accounts.js';
import type { AdminContext } from '../context.js';
import { errorResponses, msisdnParams, SECURITY, type JsonSchema } from '../schemas.js';
import { sessionRequestRoutes } from './session-requests.js';

const integer = { type: 'integer' } as const;
const string = { type: 'string' } as const;
const amounts = { type: 'object', additionalProperties: integer } as const;

const sessionResource: JsonSchema = {
  type: 'object',
  properties: {
    sessionId: string,
    kind: { type: 'string', enum: ['voice', 'data', 'sms'] },
    tariff: string,
    currency: string,
    state: { type: 'string', enum: ['open', 'closed'] },
    lastNumber: { ...integer, description: 'CC-Request-Number of the last request' },
    lastType: { type: 'string', enum: ['initial', 'update', 'termination', 'event'] },
    startedAt: { ...integer, description: 'ms since the epoch' },
    updatedAt: integer,
    reserved: { type: 'array', items: integer, description: 'rating groups holding a reservation' },
    held: { ...amounts, description: 'money frozen now, per rating group' },
    used: { ...amounts, description: 'service units charged per rating group' },
    amounts: { ...amounts, description: 'amount charged per bucket' },
    levels: { type: 'array', items: string },
    callingParty: string,
    calledParty: string,
    role: string,
  },
  required: [
    'sessionId',
    'kind',
    'state',
    'lastNumber',
    'startedAt',
    'updatedAt',
    'reserved',
    'used',
    'amounts',
  ],
};

const reservationResource: JsonSchema = {
  type: 'object',
  properties: {
    sessionId: string,
    ratingGroup: integer,
    expiresAtMs: integer,
    units: { ...integer, description: 'service units still held' },
    tiers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          bucket: string,
          units: integer,
          amount: integer,
          unitSize: integer,
          pricePerUnit: integer,
        },
        required: ['bucket', 'units', 'amount', 'unitSize', 'pricePerUnit'],
      },
    },
  },
  required: ['sessionId', 'ratingGroup', 'expiresAtMs', 'units', 'tiers'],
};

export function sessionRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { msisdn: string } }>(
      '/accounts/:msisdn/sessions',
      {
        schema: {
          tags: ['history'],
          operationId: 'listAccountSessions',
          summary: "the account's open sessions, and the reservations that hold its money",
          security: SECURITY,
          params: msisdnParams,
          response: {
            200: {
              type: 'object',
              properties: {
                sessions: { type: 'array', items: sessionResource },
                reservations: { type: 'array', items: reservationResource },
              },
              required: ['sessions', 'reservations'],
            },
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        const { msisdn } = request.params;
        const [account, sessions, reservations] = await Promise.all([
          ctx.store.getAccount(msisdn),
          ctx.sessions.openSessionsOf(msisdn),
          ctx.store.listReservations(msisdn),
        ]);
        if (!account) throw accountNotFound(msisdn);
        return { sessions, reservations };
      },
    );
    await app.register(sessionRequestRoutes(ctx));
  };
}
