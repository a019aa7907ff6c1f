import { z } from 'zod';
import { MAX_AMOUNT } from '../balance/validate.js';

/**
 * Bundles (DESIGN §3, Bundles): allowances an account buys for a fee (e.g. 5 GB of data, 100
 * national minutes), used before money by every call that is not VPN-preferential. The shape of
 * the provisioning document's `bundles` section and of the admin API's; fees in minor units.
 */

const atMost = `must be at most ${MAX_AMOUNT}`;

/** The unit a bundle holds, by the service it applies to. */
export const BUNDLE_UNIT = { data: 'octets', voice: 'seconds', sms: 'messages' } as const;
export type BundleUnit = (typeof BUNDLE_UNIT)[keyof typeof BUNDLE_UNIT];
export type BundleService = keyof typeof BUNDLE_UNIT;

const quantity = z
  .number()
  .int('must be a whole number')
  .positive('must be greater than 0')
  .max(MAX_AMOUNT, atMost);

/** Exactly one of octets, seconds, messages. */
const unitsSchema = z.union(
  [
    z.object({ octets: quantity }).strict(),
    z.object({ seconds: quantity }).strict(),
    z.object({ messages: quantity }).strict(),
  ],
  { error: 'must be one of { octets: n }, { seconds: n }, { messages: n }' },
);

const ratingGroup = z
  .string()
  .regex(/^\d{1,10}$/, { message: 'a rating group is a number from 0 to 4294967295', abort: true })
  .refine((g) => Number(g) <= 4_294_967_295, 'a rating group is a number from 0 to 4294967295');

const appliesToSchema = z
  .object({
    service: z.enum(['data', 'voice', 'sms']),
    /** Data: the Rating-Groups it pays for; absent, every rating group. */
    ratingGroups: z.array(ratingGroup).min(1).optional(),
    /** Voice and SMS: the tariff's destination names it pays for; absent, every called number. */
    destinations: z.array(z.string().min(1).max(64)).min(1).optional(),
  })
  .strict();

const validitySchema = z.union(
  [
    z
      .object({
        days: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(3660, 'must be at most 3660'),
      })
      .strict(),
    z.object({ calendarMonth: z.literal(true) }).strict(),
  ],
  { error: 'must be { days: n } or { calendarMonth: true }' },
);

export const bundleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'letters, digits, dot, dash or underscore, at most 40'),
    /** Charged from money when the bundle is added or renewed. */
    fee: z
      .number()
      .int('must be a whole number of minor units')
      .nonnegative('must not be negative')
      .max(MAX_AMOUNT, atMost),
    units: unitsSchema,
    appliesTo: appliesToSchema,
    validity: validitySchema,
  })
  .strict()
  .superRefine((b, ctx) => {
    const unit = BUNDLE_UNIT[b.appliesTo.service];
    if (!(unit in b.units)) {
      ctx.addIssue({
        code: 'custom',
        path: ['units'],
        message: `a ${b.appliesTo.service} bundle holds ${unit}`,
      });
    }
    if (b.appliesTo.service === 'data' && b.appliesTo.destinations) {
      ctx.addIssue({
        code: 'custom',
        path: ['appliesTo', 'destinations'],
        message: 'a data bundle names rating groups, not destinations',
      });
    }
    if (b.appliesTo.service !== 'data' && b.appliesTo.ratingGroups) {
      ctx.addIssue({
        code: 'custom',
        path: ['appliesTo', 'ratingGroups'],
        message: `a ${b.appliesTo.service} bundle names destinations, not rating groups`,
      });
    }
  });

export type Bundle = z.output<typeof bundleSchema>;
export type BundleDocument = z.input<typeof bundleSchema>;

/** The quantity a bundle gives, in its unit. */
export function bundleQuantity(bundle: Bundle): number {
  const u = bundle.units as Partial<Record<BundleUnit, number>>;
  return u.octets ?? u.seconds ?? u.messages ?? 0;
}

/** An account's bundle in the provisioning document: added (from now) unless the account holds it. */
export const accountBundleSchema = z.object({ bundle: z.string().min(1) }).strict();
