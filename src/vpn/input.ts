/**
 * Checks of what callers hand the registry, made before anything is read or written: a model
 * schema with every problem and its path, and ids that fit the key layout of keys.ts.
 */
import type { z } from 'zod';
import { vpnErrors } from './errors.js';

const ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether a group id, package id or msisdn can name a key (keys.ts refuses any other). */
export function isId(value: string): boolean {
  return ID.test(value);
}

/** Refuses an id that cannot name a key as INVALID, not as the RangeError keys.ts would throw. */
export function checkId(what: string, id: string): void {
  if (!isId(id))
    throw vpnErrors.invalid(what, [`${JSON.stringify(id)} is not an id (letters, digits, . _ -)`]);
}

/** Validates with a model schema, refusing with every problem and its path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw vpnErrors.invalid(
    what,
    parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)),
  );
}
