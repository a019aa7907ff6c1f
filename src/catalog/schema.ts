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

/** E.164 digits a called number starts with (DESIGN §3, Destinations). */
const prefix = z.string().regex(/^\d{1,15}$/, 'must be 1 to 15 digits (E.164, without +)');
const label = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64');

/** A destination is priced unless barred; `priced` names its price field. */
function pricedUnlessBarred(priced: string) {
  return (d: { barred?: boolean | undefined } & Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (!d.barred && d[priced] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [priced],
        message: 'is required unless the destination is barred',
      });
    }
  };
}

/** The longest prefix decides, so one prefix may be written once only. */
function uniquePrefixes(list: readonly { prefix: string }[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  list.forEach((d, i) => {
    const at = first.get(d.prefix);
    if (at === undefined) first.set(d.prefix, i);
    else ctx.addIssue({ code: 'custom', path: [i, 'prefix'], message: `the same prefix as [${at}]` });
  });
}

const voiceDestination = z
  .object({
    prefix,
    name: label,
    pricePerUnit: amount.optional(),
    unitSeconds: positive.optional(),
    barred: z.boolean().optional(),
  })
  .strict()
  .superRefine(pricedUnlessBarred('pricePerUnit'));

const smsDestination = z
  .object({ prefix, name: label, pricePerMessage: amount.optional(), barred: z.boolean().optional() })
  .strict()
  .superRefine(pricedUnlessBarred('pricePerMessage'));

const ratingGroupPrice = z.object({ unitOctets: positive, pricePerUnit: amount }).strict();
const ratingGroupPrices = z.record(z.string(), ratingGroupPrice).superRefine(checkRatingGroups);

/** 3GPP-SGSN-MCC-MNC (TS 29.061 §16.4.7.2): an MCC alone, or MCC and a 2- or 3-digit MNC. */
const roamingZone = z
  .object({
    mccMnc: z.string().regex(/^\d{3}(\d{2,3})?$/, 'must be an MCC (3 digits) or MCC and MNC (5 or 6 digits)'),
    name: label,
    ratingGroups: ratingGroupPrices,
  })
  .strict();

function uniqueZones(zones: readonly { mccMnc: string }[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  zones.forEach((zone, i) => {
    const at = first.get(zone.mccMnc);
    if (at === undefined) first.set(zone.mccMnc, i);
    else ctx.addIssue({ code: 'custom', path: [i, 'mccMnc'], message: `the same network as [${at}]` });
  });
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const BAND_SERVICES = ['voice', 'sms', 'data'] as const;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM, 00:00 to 23:59');

/** Highest band percent: a band may make a price up to ten times dearer (a peak surcharge). */
export const MAX_BAND_PERCENT = 1000;

const timeBand = z
  .object({
    name: label,
    from: clock.optional(),
    to: clock.optional(),
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    percent: z
      .number()
      .int('must be a whole number')
      .nonnegative('must not be negative')
      .max(MAX_BAND_PERCENT, `must be at most ${MAX_BAND_PERCENT}`),
    services: z.array(z.enum(BAND_SERVICES)).min(1).optional(),
  })
  .strict()
  .superRefine((band, ctx) => {
    if ((band.from === undefined) !== (band.to === undefined)) {
      const missing = band.from === undefined ? 'from' : 'to';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'from and to go together' });
    } else if (band.from !== undefined && band.from === band.to) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'must differ from from: the band would be empty',
      });
    }
    if (band.from === undefined && band.days === undefined) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'a band needs days, or from and to' });
    }
  });

/** An IANA time zone Intl knows (Asia/Shanghai, Europe/Paris, UTC). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const tariffSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64'),
    currency: z
      .string()
      .refine((c) => currencyByCode(c) !== undefined, 'must be an ISO 4217 code such as CNY or EUR'),
    /** Time bands are read in this zone; default UTC. */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai').optional(),
    voice: z
      .object({
        unitSeconds: positive,
        pricePerUnit: amount,
        terminatingPricePerUnit: amount.default(0),
        destinations: z.array(voiceDestination).superRefine(uniquePrefixes).optional(),
      })
      .strict()
      .optional(),
    sms: z
      .object({
        pricePerMessage: amount,
        destinations: z.array(smsDestination).superRefine(uniquePrefixes).optional(),
      })
      .strict()
      .optional(),
    data: z
      .object({
        ratingGroups: ratingGroupPrices,
        apns: z.record(z.string().min(1).max(100), ratingGroupPrices).optional(),
        roaming: z.array(roamingZone).superRefine(uniqueZones).optional(),
      })
      .strict()
      .optional(),
    timeBands: z.array(timeBand).optional(),
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
