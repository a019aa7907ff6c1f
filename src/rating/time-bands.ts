import { MAX_AMOUNT } from '../balance/validate.js';
import { WEEKDAYS, type Tariff } from '../catalog/schema.js';
import { instantOf, wallClock, type WallClock } from './local-time.js';

/** A tariff's time band (DESIGN §3, Time bands). */
export type TimeBand = NonNullable<Tariff['timeBands']>[number];
export type BandService = 'voice' | 'sms' | 'data';

const DAY_MINUTES = 1440;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * Whether `band` covers the wall clock for the service. A band whose `to` is not after its
 * `from` runs overnight; its `days` name the day it began on, so a Friday-night band still
 * applies at 02:00 on Saturday.
 */
export function bandCovers(band: TimeBand, service: BandService, clock: WallClock): boolean {
  if (band.services && !band.services.includes(service)) return false;
  let weekday = clock.weekday;
  if (band.from !== undefined && band.to !== undefined) {
    const from = minutesOf(band.from);
    const to = minutesOf(band.to);
    const m = clock.minuteOfDay;
    if (from < to) {
      if (m < from || m >= to) return false;
    } else if (m < to) {
      weekday = (weekday + 6) % 7;
    } else if (m < from) {
      return false;
    }
  }
  return !band.days || band.days.includes(WEEKDAYS[weekday]!);
}

/** The band in force: the first that covers the time; undefined when none does (full price). */
export function bandAt(
  bands: readonly TimeBand[],
  service: BandService,
  clock: WallClock,
): TimeBand | undefined {
  return bands.find((b) => bandCovers(b, service, clock));
}

/**
 * A price in a band: the base times `percent` / 100, rounded up to a whole minor unit (so a
 * band never makes a unit cheaper than its percent says), and never past what the balance store
 * can hold.
 */
export function bandPrice(base: number, percent: number | undefined): number {
  if (percent === undefined || percent === 100) return base;
  const price = (BigInt(base) * BigInt(percent) + 99n) / 100n;
  return price > BigInt(MAX_AMOUNT) ? MAX_AMOUNT : Number(price);
}

/** What a price is from a moment on: the band that sets it (none: full price). */
export interface PriceStep {
  atMs: number;
  band?: TimeBand | undefined;
  price: number;
}

/**
 * The price at `atMs` and how it changes within the next `windowMs` (RFC 4006 §8.20): `next` is
 * the first change of price, `until` the second, where a grant must end because one grant
 * carries one tariff change. A band boundary that leaves the price as it was is no change.
 */
export interface PriceSchedule {
  now: PriceStep;
  next?: PriceStep;
  untilMs?: number;
}

/**
 * The schedule of a price `base` under the tariff's bands, in the tariff's time zone. Prices
 * only change where a band begins or ends, or at midnight for bands with days: those moments
 * within the window are the only ones looked at.
 */
export function priceSchedule(
  tariff: Pick<Tariff, 'timeBands' | 'timeZone'>,
  service: BandService,
  base: number,
  atMs: number,
  windowMs: number,
): PriceSchedule {
  const bands = tariff.timeBands ?? [];
  const zone = tariff.timeZone ?? 'UTC';
  const stepAt = (ms: number): PriceStep => {
    const band = bands.length ? bandAt(bands, service, wallClock(zone, ms)) : undefined;
    return { atMs: ms, band, price: bandPrice(base, band?.percent) };
  };
  const now = stepAt(atMs);
  if (!bands.length || windowMs <= 0) return { now };
  const schedule: PriceSchedule = { now };
  let current = now.price;
  for (const ms of boundaries(bands, zone, atMs, windowMs)) {
    const step = stepAt(ms);
    if (step.price === current) continue;
    if (schedule.next) {
      schedule.untilMs = ms;
      break;
    }
    schedule.next = step;
    current = step.price;
  }
  return schedule;
}

/** The moments in (atMs, atMs + windowMs] where a band may begin or end, in order. */
function boundaries(bands: readonly TimeBand[], zone: string, atMs: number, windowMs: number): number[] {
  const marks = new Set<number>();
  for (const b of bands) {
    if (b.from !== undefined && b.to !== undefined) {
      marks.add(minutesOf(b.from));
      marks.add(minutesOf(b.to));
    }
    if (b.days) marks.add(0);
  }
  const clock = wallClock(zone, atMs);
  const today = clock.localMinutes - clock.minuteOfDay;
  const days = Math.ceil(windowMs / 86_400_000) + 1;
  const out = new Set<number>();
  for (let d = 0; d <= days; d++) {
    for (const m of marks) {
      const ms = instantOf(zone, today + d * DAY_MINUTES + m, atMs);
      if (ms > atMs && ms <= atMs + windowMs) out.add(ms);
    }
  }
  return [...out].sort((a, b) => a - b);
}
