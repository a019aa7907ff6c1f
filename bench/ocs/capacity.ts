/**
 * The capacity model, from the figures a run measured: how many CCR/s one server process and
 * one Redis shard answer at 70% of a core (Node runs the charging on one thread, Redis runs
 * commands on one), and what a busy hour of a given subscriber base needs. The traffic model is
 * an assumption, stated here and printed with the result; change it to the operator's own.
 */
import { num } from './format.js';

/** Headroom: a process or shard planned at 70% of its core keeps the rest for peaks and failover. */
const PLANNED_LOAD = 0.7;

/** A busy hour, per subscriber (BENCH_SUBSCRIBERS sets the base; default 10 million). */
export const TRAFFIC = {
  subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 10_000_000),
  /** Share of subscribers with a data session open in the busy hour. */
  dataActive: 0.5,
  /** CCRs per open data session per hour: a CCR-U every 15 min (Validity-Time or quota), I and T once. */
  dataCcrsPerHour: 6,
  /** Busy-hour call attempts per subscriber, each CCR-I, CCR-U, CCR-T; the call lasting 90 s. */
  callsPerHour: 0.6,
  callSeconds: 90,
  /** SMS per subscriber in the busy hour, each one CCR-E. */
  smsPerHour: 0.5,
};

export interface Capacity {
  perProcess: number;
  perShard: number;
  busyHourCcrPerSecond: number;
  openSessions: number;
  processes: number;
  shards: number;
  redisGiB: number;
}

export function capacity(serverMicros: number, redisMicros: number, bytesPerSession: number): Capacity {
  const t = TRAFFIC;
  const perProcess = (PLANNED_LOAD * 1e6) / serverMicros;
  const perShard = (PLANNED_LOAD * 1e6) / redisMicros;
  const ccrsPerHour = t.subscribers * (t.dataActive * t.dataCcrsPerHour + t.callsPerHour * 3 + t.smsPerHour);
  const busyHourCcrPerSecond = ccrsPerHour / 3600;
  const openSessions = t.subscribers * (t.dataActive + (t.callsPerHour * t.callSeconds) / 3600);
  return {
    perProcess,
    perShard,
    busyHourCcrPerSecond,
    openSessions,
    // One process more than the load needs, so that losing one (a node, a rollout) keeps service.
    processes: Math.ceil(busyHourCcrPerSecond / perProcess) + 1,
    shards: Math.ceil(busyHourCcrPerSecond / perShard),
    redisGiB: (openSessions * bytesPerSession) / 2 ** 30,
  };
}

export function capacityLines(serverMicros: number, redisMicros: number, bytesPerSession: number): string[] {
  if (!(serverMicros > 0) || !(redisMicros > 0)) return [];
  const c = capacity(serverMicros, redisMicros, bytesPerSession);
  const t = TRAFFIC;
  return [
    `  capacity at ${PLANNED_LOAD * 100}% of a core: one server process ${num(c.perProcess)} CCR/s ` +
      `(${num(serverMicros, 1)} µs per CCR), one Redis shard ${num(c.perShard)} CCR/s (${num(redisMicros, 1)} µs)`,
    `  busy hour of ${num(t.subscribers)} subscribers (${t.dataActive * 100}% with a data session, ` +
      `${t.dataCcrsPerHour} CCRs an hour each; ${t.callsPerHour} calls of ${t.callSeconds} s and ` +
      `${t.smsPerHour} SMS each): ${num(c.busyHourCcrPerSecond)} CCR/s, ${num(c.openSessions)} sessions open -> ` +
      `${c.processes} server processes (one spare), ${c.shards} Redis shard(s) by CPU, ` +
      `${c.redisGiB.toFixed(1)} GiB of open sessions across the shards`,
  ];
}
