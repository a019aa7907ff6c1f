/**
 * JSON Schemas shared by the routes (request and response), and the bridge from the zod
 * schemas of the provisioning document (DESIGN §6): a route's body schema is generated from
 * the same zod schema the document is checked with, so the API and `ocs provision` accept the
 * same shapes. zod checks the body again in the handler, for what JSON Schema cannot say (a
 * currency that exists, a calendar date), and its messages name the field.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_ERRORS, fieldPath, validationError } from './errors.js';

/** A JSON Schema object, as Fastify and @fastify/swagger take it. */
export type JsonSchema = Record<string, unknown>;

/** The JSON Schema of a zod schema: `input` for a request body (defaults optional), `output` for a response. */
export function fromZod(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Parses a body with its zod schema; refuses with every problem, each naming its field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw validationError(
    parsed.error.issues.map((i) => ({ field: fieldPath('body', i.path), reason: i.message })),
  );
}

export const MSISDN_PATTERN = '^[0-9]{5,15}$';
export const ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
const LIMIT_PATTERN = '^(1000|[1-9][0-9]{0,2})$';
const TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2}))?$';
const STREAM_ID_PATTERN = '^\\d{1,15}-\\d{1,15}$';

/**
 * What each pattern of the path and query schemas asks for, in words: a refusal says this
 * rather than the regular expression (field names are added by the caller).
 */
export const PATTERN_REASONS: Readonly<Record<string, string>> = {
  [MSISDN_PATTERN]: 'must be 5 to 15 digits (E.164 without +)',
  [ID_PATTERN]: 'must be 1 to 64 letters, digits, dots, underscores or hyphens',
  [LIMIT_PATTERN]: 'must be a whole number from 1 to 1000',
  [TIME_PATTERN]: 'must be a date (2026-03-01) or a time with its offset (2026-03-01T08:00:00Z)',
  [STREAM_ID_PATTERN]: 'must be the `next` of a previous page (<ms>-<seq>)',
};

export const msisdnParams = {
  type: 'object',
  properties: {
    msisdn: { type: 'string', pattern: MSISDN_PATTERN, description: 'E.164 without +, 5 to 15 digits' },
  },
  required: ['msisdn'],
  additionalProperties: false,
} as const;

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
  required: ['id'],
  additionalProperties: false,
} as const;

const integer = { type: 'integer' } as const;

/** Shared schemas, registered once on the app; routes refer to them as `{ $ref: 'Name#' }`. */
const SHARED: JsonSchema[] = [
  {
    $id: 'AdminError',
    type: 'object',
    description: 'Every refusal: a stable code from the error catalogue, why, and the fields at fault.',
    properties: {
      code: { type: 'string', enum: Object.keys(ADMIN_ERRORS) },
      message: { type: 'string' },
      problems: {
        type: 'array',
        items: {
          type: 'object',
          properties: { field: { type: 'string' }, reason: { type: 'string' } },
          required: ['field', 'reason'],
        },
      },
    },
    required: ['code', 'message'],
  },
  {
    $id: 'Bucket',
    type: 'object',
    description: 'Amounts of one bucket: minor units for money, seconds or minor units for a free credit.',
    properties: { available: integer, reserved: integer, spent: integer },
    required: ['available', 'reserved', 'spent'],
  },
  {
    $id: 'Membership',
    type: 'object',
    properties: {
      group: { type: 'string' },
      shortNumber: { type: 'string' },
      identity: { type: 'string', enum: ['belongs', 'joins'] },
      display: { type: 'string', enum: ['short', 'long'] },
    },
    required: ['group', 'shortNumber', 'identity', 'display'],
  },
  {
    $id: 'Activation',
    type: 'object',
    description:
      'The VPN function of a belonging member: active (fee paid through paidThrough), pending (starts ' +
      'activeFrom), or suspended (a monthly fee could not be paid; no preference until it is).',
    properties: {
      msisdn: { type: 'string' },
      package: { type: 'string' },
      status: { type: 'string', enum: ['active', 'pending', 'suspended'] },
      activeFrom: { type: 'string', description: 'YYYY-MM' },
      paidThrough: { type: 'string', description: "YYYY-MM, '' when none" },
      next: {
        type: 'object',
        description: 'A switch to another package waiting for the monthly run of `from`.',
        properties: { package: { type: 'string' }, from: { type: 'string' } },
        required: ['package', 'from'],
      },
    },
    required: ['msisdn', 'package', 'status', 'activeFrom', 'paidThrough'],
  },
];

export function addSharedSchemas(app: FastifyInstance): void {
  for (const schema of SHARED) app.addSchema(schema);
}

export const ref = (name: string) => ({ $ref: `${name}#` });

/** Error answers of a /v1 route: 400, 401, 403 and 503 always, plus the route's own. */
export function errorResponses(...statuses: number[]): Record<number, JsonSchema> {
  const out: Record<number, JsonSchema> = {};
  for (const status of [400, 401, 403, ...statuses, 503]) out[status] = ref('AdminError');
  return out;
}

/** `limit`, `from`, `to` and `before` of the paged histories (ledger, CDRs). */
export const pageQuery = {
  type: 'object',
  properties: {
    limit: {
      type: 'string',
      pattern: LIMIT_PATTERN,
      description: 'entries per page, 1 to 1000 (default 100)',
    },
    from: {
      type: 'string',
      pattern: TIME_PATTERN,
      description: 'oldest time included, ISO 8601 (a date alone is its midnight UTC)',
    },
    to: {
      type: 'string',
      pattern: TIME_PATTERN,
      description: 'newest time included, ISO 8601 (a date alone is its midnight UTC)',
    },
    before: {
      type: 'string',
      pattern: STREAM_ID_PATTERN,
      description: 'the `next` of the previous page: entries older than this id',
    },
  },
  additionalProperties: false,
} as const;

/** A page of a history: newest first; `next` is the `before` of the following page, null at the end. */
export function pageOf(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: { items: { type: 'array', items: item }, next: { type: ['string', 'null'] } },
    required: ['items', 'next'],
  };
}

/** `{ items: [...] }` of a list. */
export function listOf(item: JsonSchema): JsonSchema {
  return { type: 'object', properties: { items: { type: 'array', items: item } }, required: ['items'] };
}

export const SECURITY = [{ bearer: [] }];
