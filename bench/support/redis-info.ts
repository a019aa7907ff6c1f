import type { Redis } from 'ioredis';

export interface CommandStat {
  calls: number;
  usec: number;
}

/** A numeric field of an INFO section's text; NaN when Redis does not report it. */
export function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
}

/** Calls and microseconds inside each Redis command so far (INFO commandstats). */
export async function commandStats(redis: Redis): Promise<Map<string, CommandStat>> {
  const info = await redis.info('commandstats');
  const out = new Map<string, CommandStat>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}
