import { defineCommand } from './define.js';
import { parseFlags, SIMULATE_ARGS, type SimulateFlags } from './simulate-flags.js';

/** `ocs simulate`: reads no environment; the scenario and the flags say everything. */
export const simulate = defineCommand<SimulateFlags, void>({
  name: 'simulate',
  usage: 'simulate SCENARIO [options]',
  summary: 'load-test a server with simulated PGW / IMS peers (ocs simulate --help)',
  args: SIMULATE_ARGS,
  help: {
    synopsis: ['simulate SCENARIO [options]'],
    description:
      'Runs a load scenario (scenarios/README.md) against a server: it opens Diameter peers as ' +
      'PGWs and IMS nodes, plays the sessions of the scenario, checks every answer, and prints a ' +
      'live progress line and a report with the latency of each request type. Ctrl-C stops ' +
      'sending and waits for the answers still due; a second Ctrl-C ends at once. Exit code 0 ' +
      'when every CCR was answered as expected, 1 otherwise, 2 for a bad scenario.',
    arguments: [['SCENARIO', 'the scenario file, YAML (see scenarios/)']],
    environment: [],
    examples: [
      'ocs simulate scenarios/smoke.yaml --port 3868 --redis redis://127.0.0.1:6379',
      'ocs simulate scenarios/mixed.yaml --duration 20 --json mixed.json --svg mixed.svg',
      'ocs simulate scenarios/smoke.yaml --tls-ca ca.pem --tls-cert pgw.crt --tls-key pgw.key',
    ],
  },
  parse: parseFlags,
  configure: () => undefined,
  async execute(flags) {
    const { runSimulation } = await import('./simulate-run.js');
    return runSimulation(flags);
  },
});
