/**
 * An account's bundles as the balance store keeps them (DESIGN §3, Bundles): each one bought is
 * a bucket `bundle:<id>:<end>` of the account, its units used before money, the one ending
 * soonest first, and unusable from <end> (epoch seconds) on; the bucket's name carries the end
 * so that the balance scripts check it with the request's own clock.
 */
import {
  BUNDLE_UNIT,
  bundleQuantity,
  type Bundle,
  type BundleService,
  type BundleUnit,
} from '../catalog/bundles.js';

/** The terms of a bundle as the account bought it, stored beside its bucket. */
export interface BundleTerms {
  /** The bundle's id in the catalogue. */
  bundle: string;
  service: BundleService;
  unit: BundleUnit;
  /** Data: the rating groups it pays for; absent, all. */
  ratingGroups?: string[];
  /** Voice, SMS: the destination names it pays for; absent, every called number. */
  destinations?: string[];
  /** The quantity bought, in `unit`. */
  units: number;
  fee: number;
  startsAtMs: number;
  endsAtMs: number;
  /** Renewed by the monthly run. */
  calendarMonth: boolean;
}

/** A bundle an account holds: its terms, its bucket, and what the bucket holds now. */
export interface HeldBundle extends BundleTerms {
  bucket: string;
  /** Units still usable. */
  available: number;
  /** Units frozen by sessions in progress. */
  reserved: number;
  /** Units used. */
  spent: number;
}

const BUCKET = /^bundle:([A-Za-z0-9._-]{1,40}):(\d{1,12})$/;

/** The bucket of a bundle ending at `endsAtMs` (a whole second). */
export function bundleBucket(id: string, endsAtMs: number): string {
  return `bundle:${id}:${Math.floor(endsAtMs / 1000)}`;
}

/** The id and end (ms) of a bundle's bucket, or undefined for any other bucket. */
export function parseBundleBucket(bucket: string): { id: string; endsAtMs: number } | undefined {
  const m = BUCKET.exec(bucket);
  return m ? { id: m[1]!, endsAtMs: Number(m[2]) * 1000 } : undefined;
}

/** 'YYYY-MM' of a time, UTC. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** The first instant (ms, UTC) of the month after 'YYYY-MM'. */
export function endOfMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Date.UTC(y, m, 1);
}

/** The month before 'YYYY-MM'. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthOf(Date.UTC(y, m - 2, 1));
}

/**
 * When a bundle bought at `nowMs` ends: `days` whole days later (to the second), or, for a
 * calendar-month bundle, at the end of the current UTC month (the month it is bought in is not
 * prorated: its fee buys the whole allowance until the month ends).
 */
export function bundleEnd(bundle: Bundle, nowMs: number, month = monthOf(nowMs)): number {
  if ('days' in bundle.validity) return Math.floor(nowMs / 1000) * 1000 + bundle.validity.days * 86_400_000;
  return endOfMonth(month);
}

/** The terms of `bundle` bought at `startsAtMs`, ending at `endsAtMs`. */
export function termsOf(bundle: Bundle, startsAtMs: number, endsAtMs: number): BundleTerms {
  const { service, ratingGroups, destinations } = bundle.appliesTo;
  return {
    bundle: bundle.id,
    service,
    unit: BUNDLE_UNIT[service],
    ...(ratingGroups ? { ratingGroups } : {}),
    ...(destinations ? { destinations } : {}),
    units: bundleQuantity(bundle),
    fee: bundle.fee,
    startsAtMs,
    endsAtMs,
    calendarMonth: 'calendarMonth' in bundle.validity,
  };
}
