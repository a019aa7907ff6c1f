import { readFileSync } from 'node:fs';

/** Linux clock ticks per second (USER_HZ): 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;

export interface CpuTime {
  userMs: number;
  systemMs: number;
}

/**
 * CPU time of another process from /proc/PID/stat (utime and stime, fields 14 and 15), or
 * undefined when it cannot be read (no such process, not Linux).
 */
export function processCpu(pid: number): CpuTime | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return { userMs: (utime * 1000) / CLOCK_TICKS, systemMs: (stime * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** This process's CPU time. */
export function ownCpu(): CpuTime {
  const u = process.cpuUsage();
  return { userMs: u.user / 1000, systemMs: u.system / 1000 };
}

export function cpuSince(before: CpuTime, after: CpuTime, ccrs: number) {
  const userMs = after.userMs - before.userMs;
  const systemMs = after.systemMs - before.systemMs;
  return {
    userMs: Math.round(userMs),
    systemMs: Math.round(systemMs),
    microsPerCcr: ccrs > 0 ? Math.round(((userMs + systemMs) * 1000 * 10) / ccrs) / 10 : 0,
  };
}
