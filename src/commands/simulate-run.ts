import { writeFileSync } from 'node:fs';
import { ProvisioningError } from '../provisioning/document.js';
import { connectRedis } from '../redis/connect.js';
import { latencySvg } from '../simulator/report-svg.js';
import { SimulatorError } from '../simulator/error.js';
import type { Progress } from '../simulator/progress.js';
import { ScenarioError, loadScenario, type Scenario } from '../simulator/scenario.js';
import { Simulation } from '../simulator/simulation.js';
import { formatReport } from '../simulator/report-text.js';
import { provisioningDeps } from './provisioning-deps.js';
import { withOverrides, type SimulateFlags } from './simulate-flags.js';

function progressLine(p: Progress): string {
  return (
    `${p.seconds.toFixed(1).padStart(6)} s  ${p.perSecond.toFixed(0).padStart(7)} CCR/s  in flight ${String(p.inFlight).padStart(5)}` +
    `  sessions ${String(p.activeSessions).padStart(5)}  answered ${p.answered}  errors ${p.errors}` +
    (p.phase === 'running' ? '' : `  (${p.phase})`)
  );
}

/** Runs the scenario with the flags' overrides, printing progress and the report; the exit code. */
export async function runSimulation(flags: SimulateFlags): Promise<number> {
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
    ...(redis ? { provisioning: provisioningDeps(redis) } : {}),
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
}
