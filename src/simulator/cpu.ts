import { readFileSync } from 'node:fs';
import type { CpuFigure } from './report.js';

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

export function cpuSince(before: CpuTime, after: CpuTime, ccrs: number): CpuFigure {
  const userMs = after.userMs - before.userMs;
  const systemMs = after.systemMs - before.systemMs;
  return {
    userMs: Math.round(userMs),
    systemMs: Math.round(systemMs),
    microsPerCcr: ccrs > 0 ? Math.round(((userMs + systemMs) * 1000 * 10) / ccrs) / 10 : 0,
  };
}

/** CPU per CCR of this process and of others (the server, its Redis) over a run. */
export interface CpuFigures {
  simulator: CpuFigure;
  processes: (CpuFigure & { pid: number })[];
  /** Processes whose CPU time could not be read from /proc. */
  unreadable: number[];
}

/** Reads CPU times at the start and the end of a run. */
export class CpuWatch {
  private ownBefore: CpuTime = { userMs: 0, systemMs: 0 };
  private ownAfter: CpuTime = { userMs: 0, systemMs: 0 };
  private before: (CpuTime | undefined)[] = [];
  private after: (CpuTime | undefined)[] = [];

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    this.ownBefore = ownCpu();
    this.before = this.pids.map(processCpu);
  }

  stop(): void {
    this.ownAfter = ownCpu();
    this.after = this.pids.map(processCpu);
  }

  figures(ccrs: number): CpuFigures {
    const out: CpuFigures = {
      simulator: cpuSince(this.ownBefore, this.ownAfter, ccrs),
      processes: [],
      unreadable: [],
    };
    this.pids.forEach((pid, i) => {
      const before = this.before[i];
      const after = this.after[i];
      if (before && after) out.processes.push({ pid, ...cpuSince(before, after, ccrs) });
      else out.unreadable.push(pid);
    });
    return out;
  }
}
