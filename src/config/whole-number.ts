import { z } from 'zod';

/**
 * An environment variable that is a whole number within [min, max]: digits only (no sign,
 * fraction, exponent or hex), so that `1e3` or `0x10` is refused rather than read as a number.
 * Where `min` is 0, 0 is allowed (a check switched off).
 */
export function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,16}$/, { message })
    .transform(Number)
    .pipe(z.number().min(min, { message }).max(max, { message }));
}
