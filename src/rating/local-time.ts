/**
 * Wall-clock time in a tariff's time zone (DESIGN §3, Time bands), read through Intl so that
 * daylight saving follows the zone's own rules.
 */

/** A moment as a clock on the wall of the zone shows it. */
export interface WallClock {
  /** 0 Sunday to 6 Saturday. */
  weekday: number;
  /** Minutes since local midnight, 0 to 1439. */
  minuteOfDay: number;
  /** Local time as minutes since 1970-01-01 00:00 of the zone's calendar. */
  localMinutes: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(timeZone, f);
  }
  return f;
}

export function wallClock(timeZone: string, atMs: number): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatOf(timeZone).formatToParts(atMs)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const days = Date.UTC(parts.year!, parts.month! - 1, parts.day!) / 86_400_000;
  const minuteOfDay = parts.hour! * 60 + parts.minute!;
  return { weekday: (days + 4) % 7, minuteOfDay, localMinutes: days * 1440 + minuteOfDay };
}

function offsetMinutes(timeZone: string, atMs: number): number {
  return wallClock(timeZone, atMs).localMinutes - Math.floor(atMs / 60_000);
}

/**
 * The moment (ms) at which the zone's clock reads `localMinutes`, the offset taken near
 * `nearMs`: of a time read twice (the hour a daylight-saving change repeats), the first; of a
 * time never read (the hour it skips), the moment the clock has passed it.
 */
export function instantOf(timeZone: string, localMinutes: number, nearMs: number): number {
  const near = offsetMinutes(timeZone, nearMs);
  const first = (localMinutes - near) * 60_000;
  const there = offsetMinutes(timeZone, first);
  if (there === near) return first;
  const second = (localMinutes - there) * 60_000;
  return offsetMinutes(timeZone, second) === there ? second : Math.max(first, second);
}
