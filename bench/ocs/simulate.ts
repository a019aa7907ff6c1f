import type { Redis as RedisClient } from 'ioredis';
import type { BalanceStore } from '../../src/balance/index.js';
import type { Progress } from '../../src/simulator/progress.js';
import type { Scenario } from '../../src/simulator/scenario.js';
import { Simulation } from '../../src/simulator/simulation.js';
import type { Report } from '../../src/simulator/report.js';
import { commandStats } from '../support/redis-info.js';
import { checkInterrupted, setRunningSimulation } from './interruption.js';
import { balances, moneyProblems } from './money.js';
import { commandsPerCcr } from './redis-commands.js';

/** What the phases run against: the server's Diameter port, the processes measured, Redis. */
export interface Testbed {
  port: number;
  pids: { server: number; redis: number };
  redis: RedisClient;
}

export interface Phase {
  report: Report;
  /** Server CPU per CCR answered in the phase (µs), and Redis's. */
  serverMicros: number;
  redisMicros: number;
  /** Where Redis's time went, per CCR (INFO commandstats). */
  redisCommands: string;
  problems: string[];
}

function progressLine(label: string, p: Progress): string {
  return (
    `  ${label}: ${p.seconds.toFixed(0).padStart(3)} s ${p.perSecond.toFixed(0).padStart(7)} CCR/s` +
    `  in flight ${String(p.inFlight).padStart(5)}  answered ${p.answered}  errors ${p.errors}` +
    (p.phase === 'running' ? '' : ` (${p.phase})`)
  );
}

/** One simulator run against the server, with the money check around it when `store` is given. */
export async function simulate(
  label: string,
  s: Scenario,
  { pids, redis }: Testbed,
  store: BalanceStore | undefined,
): Promise<Phase> {
  checkInterrupted();
  const ranges = s.provision?.accounts ?? [];
  const before = store ? await balances(store, ranges) : undefined;
  const stats = await commandStats(redis);
  const tty = process.stdout.isTTY === true;
  const simulation = new Simulation(s, {
    serverPids: [pids.server, pids.redis],
    onProgress: (p) => {
      if (tty) process.stdout.write(`\r${progressLine(label, p)}\x1b[K`);
    },
  });
  setRunningSimulation(simulation);
  const report = await simulation.run();
  setRunningSimulation(undefined);
  const redisCommands = commandsPerCcr(stats, await commandStats(redis), report.ccr.answered);
  if (tty) process.stdout.write('\r\x1b[K');
  checkInterrupted();
  const problems: string[] = [];
  if (!report.ok) {
    problems.push(...report.warnings);
    for (const u of report.unexpected)
      problems.push(
        `${u.request} ${u.level === 'mscc' ? 'MSCC ' : ''}${u.resultCode} x ${u.count}: ${u.errorMessage ?? u.exampleSessionId}`,
      );
    if (report.ccr.timedOut) problems.push(`${report.ccr.timedOut} CCRs timed out`);
  }
  if (store && before) {
    // A session cut short keeps its reservation, and usage in an answer that came too late is
    // charged by the server but not counted here: the money cannot be compared then.
    if (report.sessions.total.aborted > 0)
      problems.push(`${report.sessions.total.aborted} sessions were cut short: the money is not checked`);
    else problems.push(...moneyProblems(report, before, await balances(store, ranges)));
  }
  const [server, redisCpu] = report.cpu.processes;
  return {
    report,
    serverMicros: server?.pid === pids.server ? server.microsPerCcr : NaN,
    redisMicros: redisCpu?.pid === pids.redis ? redisCpu.microsPerCcr : NaN,
    redisCommands,
    problems,
  };
}
