import type { z } from 'zod';
import { validationError } from './errors.js';
import { parseBody } from './schemas.js';

/**
 * The body of a PUT whose resource has its id in the path: the body may repeat the id, which
 * must then be the same, or leave it out.
 */
export function bodyWithPathId<S extends z.ZodType>(schema: S, body: unknown, id: string): z.output<S> {
  const fields = (body ?? {}) as Record<string, unknown>;
  if (fields.id !== undefined && fields.id !== id) {
    throw validationError([
      { field: 'body.id', reason: `is ${JSON.stringify(fields.id)}, the path names ${id}` },
    ]);
  }
  return parseBody(schema, { ...fields, id });
}
