import { code as currencyByCode } from 'currency-codes';
import { z } from 'zod';
import { MAX_AMOUNT } from '../balance/validate.js';

/**
 * Shapes of the provisioning document (DESIGN §6); amounts are integers in minor units. No
 * number may pass what the balance store takes (15 digits, MAX_AMOUNT): a document it would
 * refuse half-way must be refused here, before anything is written.
 */

const atMost = `must be at most ${MAX_AMOUNT}`;
const amount = z
  .number()
  .int('must be a whole number of minor units')
  .nonnegative('must not be negative')
  .max(MAX_AMOUNT, atMost);
const positive = z
  .number()
  .int('must be a whole number')
  .positive('must be greater than 0')
  .max(MAX_AMOUNT, atMost);

/** Largest Rating-Group (Unsigned32, RFC 4006 §8.29). */
const MAX_RATING_GROUP = 4_294_967_295;

/**
 * Keys of `ratingGroups` are Rating-Group values. Checked here rather than by a key schema,
 * whose own message zod replaces with a bare 'Invalid key in record'.
 */
function checkRatingGroups(groups: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(groups)) {
    if (!/^\d{1,10}$/.test(key) || Number(key) > MAX_RATING_GROUP) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `a rating group is a number from 0 to ${MAX_RATING_GROUP}`,
      });
    }
  }
}

export const tariffSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64'),
    currency: z
      .string()
      .refine((c) => currencyByCode(c) !== undefined, 'must be an ISO 4217 code such as CNY or EUR'),
    voice: z
      .object({ unitSeconds: positive, pricePerUnit: amount, terminatingPricePerUnit: amount.default(0) })
      .strict()
      .optional(),
    sms: z.object({ pricePerMessage: amount }).strict().optional(),
    data: z
      .object({
        ratingGroups: z
          .record(z.string(), z.object({ unitOctets: positive, pricePerUnit: amount }).strict())
          .superRefine(checkRatingGroups),
      })
      .strict()
      .optional(),
  })
  .strict();

export type TariffDocument = z.infer<typeof tariffSchema>;

/** A tariff as stored and rated: the document's shape with its defaults filled in. */
export type Tariff = z.output<typeof tariffSchema>;

/** `Date.parse` rolls impossible days over (2027-02-30 is March 2): the date must come back the same. */
function isCalendarDate(d: string): boolean {
  const ms = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD', abort: true })
  .refine(isCalendarDate, 'is not a calendar date');

export const accountSchema = z
  .object({
    msisdn: z.string().regex(/^\d{5,15}$/, 'must be 5 to 15 digits (E.164 without +)'),
    prepaid: z.boolean().default(true),
    tariff: z.string().min(1),
    balance: amount.default(0),
    status: z.enum(['active', 'blocked', 'lost']).default('active'),
    validUntil: isoDate.optional(),
    minThreshold: amount.default(0),
    /** Other identities of the subscriber (Subscription-Id IMSI, NAI, SIP URI). */
    imsi: z
      .string()
      .regex(/^\d{6,15}$/, 'must be 6 to 15 digits')
      .optional(),
    nai: z.string().min(3).optional(),
  })
  .strict();

export type AccountDocument = z.infer<typeof accountSchema>;

/** An account is valid through the whole of its validUntil day (UTC): expiry is the next midnight. */
export function validUntilEpochSeconds(date: string | undefined): number {
  if (!date) return 0;
  return Date.parse(`${date}T00:00:00Z`) / 1000 + 86_400;
}

/** ISO 4217 numeric code and minor-unit digits, for Currency-Code and Cost-Information (RFC 4006 §8.7). */
export function currencyInfo(alpha: string): { numeric: number; digits: number } {
  const c = currencyByCode(alpha);
  if (!c) throw new RangeError(`unknown currency ${alpha}`);
  return { numeric: Number(c.number), digits: c.digits };
}
