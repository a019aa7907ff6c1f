/** The ledger and the CDRs of an account: newest first, paged, within a time range. */
import type { FastifyPluginAsync } from 'fastify';
import { accountNotFound } from '../accounts.js';
import type { AdminContext } from '../context.js';
import { validationError } from '../errors.js';
import { cdrReader, ledgerReader, newestFirst, type PageQuery, type RangeReader } from '../history.js';
import { errorResponses, msisdnParams, pageOf, pageQuery, SECURITY, type JsonSchema } from '../schemas.js';

const integer = { type: 'integer' } as const;
const string = { type: 'string' } as const;

const ledgerEntry: JsonSchema = {
  type: 'object',
  properties: {
    id: { ...string, description: 'stream id <ms>-<seq>: when it was written' },
    op: {
      type: 'string',
      description:
        'settle: a CCR-U or CCR-T, its deduct, return and new grant as one net change; apply, ' +
        'deduct, return: one step each (older entries may hold a settle as up to three of them)',
      enum: [
        'settle',
        'apply',
        'deduct',
        'return',
        'topup',
        'refund',
        'debit',
        'set',
        'reset',
        'expire',
        'bundle',
        'bundle-expire',
      ],
    },
    opId: string,
    session: string,
    ratingGroup: { type: ['integer', 'null'] },
    deltas: {
      type: 'object',
      description: 'change of available, reserved and spent, per bucket',
      additionalProperties: {
        type: 'object',
        properties: { available: integer, reserved: integer, spent: integer },
        required: ['available', 'reserved', 'spent'],
      },
    },
    moneyAvailableAfter: integer,
    ts: { ...integer, description: 'time of the operation (ms since the epoch)' },
    extra: {
      type: 'object',
      additionalProperties: string,
      description: 'used, uncharged, afterTariffChange, granted, ref, period, charge, bundle, fee',
    },
  },
  required: ['id', 'op', 'opId', 'session', 'ratingGroup', 'deltas', 'moneyAvailableAfter', 'ts', 'extra'],
};

const cdr: JsonSchema = {
  type: 'object',
  properties: {
    id: { ...string, description: 'stream id <ms>-<seq>: when it was written' },
    sessionId: string,
    msisdn: string,
    service: string,
    callingParty: string,
    calledParty: string,
    role: string,
    used: { type: 'object', additionalProperties: integer, description: 'service units per rating group' },
    amounts: { type: 'object', additionalProperties: integer, description: 'amount charged per bucket' },
    levels: { type: 'array', items: string },
    startedAt: integer,
    endedAt: integer,
    resultCode: integer,
    reason: { ...string, description: 'termination, event, tcc-expired, postpaid' },
    action: string,
  },
  required: [
    'id',
    'sessionId',
    'msisdn',
    'service',
    'used',
    'amounts',
    'levels',
    'startedAt',
    'endedAt',
    'resultCode',
    'reason',
  ],
};

interface PageParams {
  Params: { msisdn: string };
  Querystring: { limit?: string; from?: string; to?: string; before?: string };
}

/** The query of a page; times are ISO 8601, checked for shape by the schema and for meaning here. */
function pageQueryOf(q: PageParams['Querystring']): PageQuery {
  const time = (field: 'from' | 'to') => {
    const value = q[field];
    if (value === undefined) return undefined;
    const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(ms))
      throw validationError([{ field: `querystring.${field}`, reason: 'is not a valid time' }]);
    return ms;
  };
  return {
    limit: q.limit === undefined ? 100 : Number(q.limit),
    fromMs: time('from'),
    toMs: time('to'),
    before: q.before,
  };
}

export function historyRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    const route = <T extends { id: string }>(
      path: string,
      operationId: string,
      summary: string,
      item: JsonSchema,
      reader: (msisdn: string) => RangeReader<T>,
    ) =>
      app.get<PageParams>(
        path,
        {
          schema: {
            tags: ['history'],
            operationId,
            summary,
            description:
              'Newest first. `next` is the `before` of the following page (null on the last one); `from` and `to` ' +
              'select by when the entry was written, both included. Read from Redis, which keeps a recent window: ' +
              'with the exporter running (EXPORT_ENABLED), entries exported to files are trimmed EXPORT_KEEP_SECONDS ' +
              '(default 600) after their export, so older history is in the exported files (docs/export.md).',
            security: SECURITY,
            params: msisdnParams,
            querystring: pageQuery,
            response: { 200: pageOf(item), ...errorResponses(404) },
          },
        },
        async (request) => {
          const { msisdn } = request.params;
          const query = pageQueryOf(request.query);
          if (!(await ctx.store.getAccount(msisdn))) throw accountNotFound(msisdn);
          return newestFirst(reader(msisdn), query);
        },
      );
    route(
      '/accounts/:msisdn/ledger',
      'listAccountLedger',
      "the account's ledger: every change of its buckets",
      ledgerEntry,
      (m) => ledgerReader(ctx.redis, ctx.store, m),
    );
    route('/accounts/:msisdn/cdrs', 'listAccountCdrs', "the account's charging data records", cdr, (m) =>
      cdrReader(ctx.cdrs, m),
    );
  };
}
