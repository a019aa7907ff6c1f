/**
 * Argument checks done before any round trip. They mirror the scripts' own checks
 * (lua/includes/args.lua), which stay as the last line of defence: the scripts refuse anything
 * that would make a float or a negative amount appear on a money path.
 */
import { InvalidArgumentError } from './errors.js';
import type { Tier } from './types.js';

/** Largest amount or count the scripts accept: 15 digits, below 2^50, so products stay exact. */
export const MAX_AMOUNT = 999_999_999_999_999;
export const MAX_TIERS = 16;
const BUCKET = /^[A-Za-z0-9_.:-]{1,64}$/;

export function checkInt(name: string, value: unknown, min = 0): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_AMOUNT) {
    throw new InvalidArgumentError(`${name}: an integer from ${min} to ${MAX_AMOUNT}, got ${String(value)}`);
  }
}

export function checkBucket(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !BUCKET.test(value)) {
    throw new InvalidArgumentError(
      `${name}: 1 to 64 of letters, digits, _ . : -, got ${JSON.stringify(value)}`,
    );
  }
}

export function checkText(name: string, value: unknown, max: number, min = 1): asserts value is string {
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new InvalidArgumentError(`${name}: ${min} to ${max} characters`);
  }
}

export function checkRatingGroup(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidArgumentError(`ratingGroup: an Unsigned32, got ${String(value)}`);
  }
}

export function checkTiers(tiers: unknown): asserts tiers is Tier[] {
  if (!Array.isArray(tiers) || tiers.length < 1 || tiers.length > MAX_TIERS) {
    throw new InvalidArgumentError(`tiers: 1 to ${MAX_TIERS}`);
  }
  tiers.forEach((tier: Partial<Tier>, i) => {
    checkBucket(`tiers[${i}].bucket`, tier.bucket);
    checkInt(`tiers[${i}].unitSize`, tier.unitSize, 1);
    checkInt(`tiers[${i}].pricePerUnit`, tier.pricePerUnit);
    if (tier.maxUnits !== undefined) checkInt(`tiers[${i}].maxUnits`, tier.maxUnits);
    if (tier.priceAfterChange !== undefined) checkInt(`tiers[${i}].priceAfterChange`, tier.priceAfterChange);
  });
}

/**
 * ARGV form of tiers: count, then bucket, unitSize, pricePerUnit, maxUnits ('' for none); the
 * price is '<before>/<after>' when the tier has a price after a tariff change (lua/includes/args.lua).
 */
export function tierArgs(tiers: Tier[]): (string | number)[] {
  const args: (string | number)[] = [tiers.length];
  for (const t of tiers) {
    const price =
      t.priceAfterChange === undefined || t.priceAfterChange === t.pricePerUnit
        ? t.pricePerUnit
        : `${t.pricePerUnit}/${t.priceAfterChange}`;
    args.push(t.bucket, t.unitSize, price, t.maxUnits ?? '');
  }
  return args;
}

/**
 * The operation id of one step of one request: a retransmitted CCR (same Session-Id and
 * CC-Request-Number) produces the same id, so its replay returns the first answer.
 */
export function makeOpId(sessionId: string, requestNumber: number, step: string): string {
  return `${sessionId}#${requestNumber}#${step}`;
}
