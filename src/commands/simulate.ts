import { writeFileSync } from 'node:fs';
import { BalanceStore } from '../balance/index.js';
import { TariffCatalog } from '../catalog/tariffs.js';
import { SessionKeys } from '../credit-control/keys.js';
import { ProvisioningError } from '../provisioning/document.js';
import { connectRedis } from '../redis/connect.js';
import { latencySvg } from '../simulator/report-svg.js';
import { SimulatorError } from '../simulator/error.js';
import type { Progress } from '../simulator/progress.js';
import { ScenarioError, loadScenario, type Scenario } from '../simulator/scenario.js';
import { Simulation } from '../simulator/simulation.js';
import { formatReport } from '../simulator/report-text.js';
import { UsageError, type Command } from './command.js';

interface Flags {
  file: string;
  host?: string;
  port?: number;
  duration?: number;
  rate?: number;
  json?: string;
  svg?: string;
  redis?: string;
  serverPids?: number[];
  quiet: boolean;
}

const VALUE_FLAGS = [
  '--host',
  '--port',
  '--duration',
  '--rate',
  '--json',
  '--svg',
  '--redis',
  '--server-pid',
];

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} ${value}: a positive number is needed`);
  return n;
}

export function parseFlags(args: readonly string[]): Flags {
  const flags: Partial<Flags> & { quiet: boolean } = { quiet: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--quiet') {
      flags.quiet = true;
      continue;
    }
    if (VALUE_FLAGS.includes(arg)) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      switch (arg) {
        case '--host':
          flags.host = value;
          break;
        case '--port': {
          const port = positiveNumber(arg, value);
          if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port ${value}: not a port`);
          flags.port = port;
          break;
        }
        case '--duration':
          flags.duration = positiveNumber(arg, value);
          break;
        case '--rate':
          flags.rate = positiveNumber(arg, value);
          break;
        case '--json':
          flags.json = value;
          break;
        case '--svg':
          flags.svg = value;
          break;
        case '--redis':
          flags.redis = value;
          break;
        case '--server-pid':
          flags.serverPids = value.split(',').map((pid) => {
            const n = positiveNumber(arg, pid);
            if (!Number.isInteger(n)) throw new UsageError(`--server-pid ${pid}: not a process id`);
            return n;
          });
          break;
      }
      continue;
    }
    if (arg.startsWith('--')) throw new UsageError(`ocs simulate: unknown option ${arg}`);
    if (flags.file) throw new UsageError(`ocs simulate: one scenario file only (${flags.file}, ${arg})`);
    flags.file = arg;
  }
  if (!flags.file)
    throw new UsageError('ocs simulate SCENARIO.yaml: name the scenario to run (see scenarios/)');
  return flags as Flags;
}

/** The scenario with the command line's overrides: server, duration, CCR rate. */
export function withOverrides(scenario: Scenario, flags: Flags): Scenario {
  const s: Scenario = structuredClone(scenario);
  if (flags.host) s.peers.server.host = flags.host;
  if (flags.port) s.peers.server.port = flags.port;
  if (flags.duration) s.stop = { drainSeconds: s.stop.drainSeconds, duration: flags.duration };
  if (flags.rate) {
    const ramp = s.mode.type === 'rate' ? s.mode.rampSeconds : 0;
    const maxInFlight = s.mode.type === 'rate' ? s.mode.maxInFlight : 5000;
    s.mode = { type: 'rate', ccrPerSecond: flags.rate, rampSeconds: ramp, maxInFlight };
  }
  return s;
}

const HELP = `ocs simulate SCENARIO.yaml [options]: run a load scenario (scenarios/README.md)

  --host H, --port P      the server (overrides the scenario's peers.server)
  --duration S            stop starting sessions after S seconds
  --rate R                pace every CCR at R per second (keeps the scenario's ramp)
  --redis URL             provision the scenario's tariff and accounts first, check balances after
  --json FILE             write the report as JSON
  --svg FILE              write a latency-by-percentile plot
  --server-pid PID,...    also report these processes' CPU per CCR (the server, its Redis)
  --quiet                 no progress line

Exit code 0 when every CCR was answered as expected, 1 otherwise, 2 for a bad scenario.`;

function progressLine(p: Progress): string {
  return (
    `${p.seconds.toFixed(1).padStart(6)} s  ${p.perSecond.toFixed(0).padStart(7)} CCR/s  in flight ${String(p.inFlight).padStart(5)}` +
    `  sessions ${String(p.activeSessions).padStart(5)}  answered ${p.answered}  errors ${p.errors}` +
    (p.phase === 'running' ? '' : `  (${p.phase})`)
  );
}

export const simulate: Command = {
  name: 'simulate',
  usage: 'simulate SCENARIO [options]',
  summary: 'load-test a server with simulated PGW / IMS peers (ocs simulate --help)',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(HELP);
      return 0;
    }
    const flags = parseFlags(args);
    let scenario: Scenario;
    try {
      scenario = withOverrides(loadScenario(flags.file), flags);
    } catch (err) {
      if (err instanceof ScenarioError) {
        console.error(`ocs simulate: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const redis = flags.redis ? connectRedis(flags.redis) : undefined;
    const tty = process.stdout.isTTY === true;
    let lastPrinted = 0;
    const onProgress = (p: Progress) => {
      if (flags.quiet) return;
      if (tty) process.stdout.write(`\r${progressLine(p)}\x1b[K`);
      else if (p.seconds - lastPrinted >= 5 || p.phase !== 'running') {
        lastPrinted = p.seconds;
        console.log(progressLine(p));
      }
    };
    const simulation = new Simulation(scenario, {
      onProgress,
      log: (line) => console.log(line),
      ...(flags.serverPids ? { serverPids: flags.serverPids } : {}),
      ...(redis
        ? {
            provisioning: {
              redis,
              store: new BalanceStore({ redis }),
              catalog: new TariffCatalog(redis),
              sessionKeys: new SessionKeys(),
            },
          }
        : {}),
    });
    const onSignal = () => {
      if (tty) process.stdout.write('\n');
      console.log('stopping: no more requests; waiting for the answers still due (Ctrl-C again to end now)');
      simulation.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const target = `${scenario.peers.server.host}:${scenario.peers.server.port}`;
      console.log(`ocs simulate ${flags.file}: ${scenario.peers.count} peer(s) to ${target}`);
      const report = await simulation.run();
      if (tty && !flags.quiet) process.stdout.write('\n');
      console.log(`\n${formatReport(report)}`);
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
        console.log(`report written to ${flags.json}`);
      }
      if (flags.svg) {
        writeFileSync(flags.svg, latencySvg(report));
        console.log(`latency plot written to ${flags.svg}`);
      }
      return report.ok ? 0 : 1;
    } catch (err) {
      if (err instanceof SimulatorError || err instanceof ProvisioningError) {
        console.error(`ocs simulate: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      redis?.disconnect();
    }
  },
};
