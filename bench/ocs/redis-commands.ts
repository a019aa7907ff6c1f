import type { CommandStat } from '../support/redis-info.js';

/**
 * Where Redis spent its time between two commandstats readings, per CCR answered. A script's
 * time includes that of the commands it runs, which are counted under their own names too.
 */
export function commandsPerCcr(
  before: Map<string, CommandStat>,
  after: Map<string, CommandStat>,
  ccrs: number,
): string {
  const rows: [string, number, number][] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    if (a.calls > b.calls && name !== 'info')
      rows.push([name, (a.calls - b.calls) / ccrs, (a.usec - b.usec) / ccrs]);
  }
  rows.sort((x, y) => y[2] - x[2]);
  return rows
    .slice(0, 8)
    .map(([name, calls, usec]) => `${name} ${calls.toFixed(2)} x ${usec.toFixed(1)} µs`)
    .join(', ');
}
