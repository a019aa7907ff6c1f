import type { Config } from '../config/config.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { defineCommand } from './define.js';

const ARGS = {
  flags: { once: { type: 'boolean', meaning: 'stop at the end instead of serving until Ctrl-C' } },
} as const satisfies ArgSpec;

/**
 * `ocs demo`: the newcomer's tour on a server of its own. Unlike `ocs serve`, it installs
 * Debian's redis-server when REDIS_URL is unset and none is installed (as root with apt-get):
 * the demo is the one command meant to work on a bare machine.
 */
export const demo = defineCommand<boolean, Config>({
  name: 'demo',
  usage: 'demo [--once]',
  summary: 'start a server with a private Redis and demo data, walk through it, and load it',
  args: ARGS,
  help: {
    synopsis: ['demo [--once]'],
    description:
      'Starts a server (with a private redis-server unless REDIS_URL names a Redis, installing ' +
      "Debian's redis-server first when none is installed and it runs as root), provisions " +
      'demo/provisioning.yaml, walks a PGW and an IMS node through each outcome one request at a ' +
      'time, runs the mixed load of scenarios/demo.yaml with its live progress and report, prints ' +
      'the balances and CDRs that moved and the curl lines to look further, then serves until ' +
      'Ctrl-C. A first Ctrl-C during the load stops it and waits for its answers; a second stops ' +
      'at once. Exit code 0 when every answer was as expected and the money consistent.',
    environment: [
      ['REDIS_URL', 'a Redis to use (default: a private redis-server, installed if need be)'],
      ['DEMO_SECONDS', 'seconds of load (default 20, as scenarios/demo.yaml says)'],
      ['LOG_LEVEL', "the server's log level (default warn)"],
      ['ADMIN_TOKEN', 'bearer token of the admin API (default demo-admin-token-change-me)'],
      ['DIAMETER_PORT, HTTP_PORT', 'the ports (default 3868 and 8080); the other variables of ocs serve too'],
    ],
    examples: ['DEMO_SECONDS=5 ocs demo --once'],
  },
  parse: (args) => readArgs('demo', args, ARGS).values.once ?? false,
  async configure(env) {
    const { loadConfig } = await import('../config/config.js');
    return loadConfig(env);
  },
  async execute(once, config) {
    const { runDemo } = await import('./demo-run.js');
    return runDemo(config, once);
  },
});
