/**
 * A request refused by its schema, in plain words: each problem names its field and says what
 * the field must be, never the regular expression or JSON Schema keyword behind the check. A
 * body is told by its zod schema (the same messages as `ocs provision`); the path and query by
 * JSON Schema (Ajv), whose messages are rewritten here.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AdminError, fieldPath, toAdminError, validationError, type Problem } from './errors.js';
import { PATTERN_REASONS } from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The zod schema of the body: its messages replace JSON Schema's when the body is refused. */
    bodySchema?: z.ZodType;
  }
}

type AjvError = NonNullable<FastifyError['validation']>[number];

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const typeWords = (type: unknown): string =>
  (Array.isArray(type) ? type : [type]).map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');

const plural = (n: unknown, word: string) => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

/** What an Ajv error asks for, in words; a keyword not listed keeps Ajv's message, which holds no pattern. */
function reasonOf(error: AjvError): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'pattern':
      return PATTERN_REASONS[String(params.pattern)] ?? 'is not in the expected form';
    case 'type':
      return `must be ${typeWords(params.type)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(params.limit)}`;
    case 'minLength':
      return `must be at least ${plural(params.limit, 'character')}`;
    case 'maxLength':
      return `must be at most ${plural(params.limit, 'character')}`;
    case 'minItems':
      return `must hold at least ${plural(params.limit, 'item')}`;
    case 'maxItems':
      return `must hold at most ${plural(params.limit, 'item')}`;
    case 'minProperties':
      return `must name at least ${plural(params.limit, 'field')}`;
    case 'anyOf':
    case 'oneOf':
      return 'is none of the accepted shapes';
    default:
      return error.message ?? 'is not valid';
  }
}

/** JSON Schema's refusal (Ajv errors) as problems naming each field. */
export function schemaProblems(part: string, errors: readonly AjvError[]): Problem[] {
  return errors.map((e) => {
    const field = part + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required')
      return { field: `${field}.${String(params.missingProperty)}`, reason: 'is required' };
    if (e.keyword === 'additionalProperties') {
      return { field: `${field}.${String(params.additionalProperty)}`, reason: 'is not a known field' };
    }
    return { field, reason: reasonOf(e) };
  });
}

/** The catalogue refusal of any error that reaches the error handler. */
export function refusalOf(err: FastifyError, request: FastifyRequest): AdminError {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = request.headers['content-type'];
    return new AdminError(
      'UNSUPPORTED_MEDIA_TYPE',
      type
        ? `a body of type ${type} is not accepted: send application/json`
        : 'a body needs Content-Type: application/json',
    );
  }
  if (!err.validation) return toAdminError(err);
  const part = err.validationContext ?? 'body';
  const zodSchema = request.routeOptions.config.bodySchema;
  if (part === 'body' && zodSchema) {
    const parsed = zodSchema.safeParse(request.body);
    if (!parsed.success) {
      return validationError(
        parsed.error.issues.map((i) => ({ field: fieldPath('body', i.path), reason: i.message })),
      );
    }
  }
  return validationError(schemaProblems(part, err.validation));
}
