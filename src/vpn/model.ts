import { z } from 'zod';
import { MAX_AMOUNT } from '../balance/validate.js';

/**
 * The VPN (closed user group) model of the ZTE patent (US20120057507, FIG. 2-4) and DESIGN §3,
 * §6: groups with short numbers, members who belong (pay the functional fee, enjoy the
 * preference) or join (friends and family), packages of charging levels, and activations.
 * Amounts are integers in minor units; durations in seconds.
 */

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64');
const msisdn = z.string().regex(/^\d{5,15}$/, 'must be 5 to 15 digits (E.164 without +)');
// No number may pass what the balance store takes (MAX_AMOUNT, 15 digits): a fee or a free
// credit it would refuse must be refused when the package is stored, not at the monthly run.
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

export const identitySchema = z.enum(['belongs', 'joins']);
export type Identity = z.infer<typeof identitySchema>;

export const memberSchema = z
  .object({
    msisdn,
    shortNumber: z.string().regex(/^\d{1,8}$/, 'must be 1 to 8 digits'),
    identity: identitySchema,
    display: z.enum(['short', 'long']).default('long'),
  })
  .strict();
export type Member = z.infer<typeof memberSchema>;

export const groupSchema = z
  .object({
    id,
    name: z.string().min(1).max(128),
    extensionLength: z.number().int().min(1, 'must be 1 to 8').max(8, 'must be 1 to 8'),
    maxMembers: positive,
  })
  .strict();
export type Group = z.infer<typeof groupSchema>;

/** Calls that a package makes preferential (ZTE "preferential items"). */
export const preferentialItemSchema = z.enum(['intra-group-voice', 'intra-group-sms']);
export type PreferentialItem = z.infer<typeof preferentialItemSchema>;

/**
 * A charging level. Free levels are consumed first, level by level: a credit of seconds, or a
 * credit of money spent at the level's price. Payment levels charge the account's money.
 */
export const levelSchema = z.union([
  z.object({ type: z.literal('free'), creditSeconds: positive, unitSeconds: positive }).strict(),
  z
    .object({
      type: z.literal('free'),
      creditAmount: positive,
      unitSeconds: positive,
      pricePerUnit: positive,
    })
    .strict(),
  z.object({ type: z.literal('payment'), unitSeconds: positive, pricePerUnit: amount }).strict(),
]);
export type Level = z.infer<typeof levelSchema>;

/** What a suspension does to the member's open sessions: re-authorise (RAR) or abort (ASR). */
export const onSuspensionSchema = z.enum(['reauthorize', 'abort']);
export type OnSuspension = z.infer<typeof onSuspensionSchema>;

export const packageSchema = z
  .object({
    id,
    monthlyFee: amount,
    items: z.array(preferentialItemSchema).min(1, 'name at least one preferential item'),
    levels: z.array(levelSchema).min(1, 'name at least one level'),
    /** Price of an intra-group SMS under the package (intra-group-sms item); default free. */
    smsPricePerMessage: amount.default(0),
    /**
     * What a member's open sessions get when the package is suspended (its fee unpaid): a RAR,
     * so that their next CCR-U is rated at the tariff, or an ASR, which ends them (DESIGN §3).
     */
    onSuspension: onSuspensionSchema.default('reauthorize'),
  })
  .strict();
export type Package = z.infer<typeof packageSchema>;

export const activationRequestSchema = z
  .object({ msisdn, package: id, when: z.enum(['immediate', 'next-month']) })
  .strict();
export type ActivationRequest = z.infer<typeof activationRequestSchema>;

/**
 * The VPN function of a belonging member: active (preference on, fee paid through
 * `paidThrough`), pending (next-month activation, from `activeFrom`), or suspended (a monthly
 * fee could not be paid; preference off until it is).
 */
export interface Activation {
  msisdn: string;
  package: string;
  status: 'active' | 'pending' | 'suspended';
  /** First month ('YYYY-MM') of the preference. */
  activeFrom: string;
  /** Last month whose functional fee is paid, '' when none. */
  paidThrough: string;
  /**
   * A next-month activation of another package made while this one is active and paid: this
   * one keeps its preference to the end of the month, the monthly run of `from` switches.
   */
  next?: { package: string; from: string } | undefined;
}

/**
 * A member whose package was suspended while it gave the preference: what its open sessions,
 * rated with the preference until now, are to be told (the package's `onSuspension`).
 */
export interface Suspension {
  msisdn: string;
  package: string;
  onSuspension: OnSuspension;
}

/** A number's membership of one group. */
export interface Membership {
  group: string;
  shortNumber: string;
  identity: Identity;
  display: 'short' | 'long';
}

/** The balance-store bucket of a package's free level (its own free credit, reset monthly). */
export function freeLevelBucket(packageId: string, levelIndex: number): string {
  return `vpn:${packageId}:L${levelIndex}`;
}

/** Allowance per free-level bucket of a package: what the monthly reset restores. */
export function freeAllowances(pkg: Package): Record<string, number> {
  const out: Record<string, number> = {};
  pkg.levels.forEach((level, i) => {
    if (level.type !== 'free') return;
    out[freeLevelBucket(pkg.id, i)] = 'creditSeconds' in level ? level.creditSeconds : level.creditAmount;
  });
  return out;
}

/** 'YYYY-MM' of a time, in UTC. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
