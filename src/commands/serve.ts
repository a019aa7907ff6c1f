import type { Config } from '../config/config.js';
import type { ChargingSettings } from '../credit-control/settings.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { untilSignal } from './command.js';
import { defineCommand } from './define.js';
import { SERVER_ENVIRONMENT } from './server-environment.js';

const ARGS = { flags: {} } as const satisfies ArgSpec;

/** The server's whole configuration: the environment of README "Configuration". */
export interface ServeNeeds {
  config: Config;
  settings: ChargingSettings;
}

/**
 * `ocs serve`: the server, configured by the environment alone. It installs nothing: without
 * REDIS_URL it starts a private redis-server when one is installed, and otherwise says what to
 * set or install (installing is the demo's, `ocs demo`).
 */
export const serve = defineCommand<void, ServeNeeds>({
  name: 'serve',
  usage: 'serve',
  summary: 'start the server (configuration from the environment, see README)',
  args: ARGS,
  help: {
    synopsis: ['serve'],
    description:
      'Starts the Diameter Gy/Ro server and its HTTP listener (admin API, /metrics, /healthz, ' +
      '/readyz) and serves until SIGINT or SIGTERM. It takes no flags: its configuration is the ' +
      'environment, checked at start (a bad value stops it with the variable and the reason). ' +
      'Without REDIS_URL it starts a private redis-server on a loopback port, for trials only, ' +
      'when one is installed; otherwise it stops and says to set REDIS_URL or install redis-server.',
    environment: SERVER_ENVIRONMENT,
  },
  parse: (args) => void readArgs('serve', args, ARGS),
  async configure(env) {
    const [{ loadConfig }, { loadChargingSettings }] = await Promise.all([
      import('../config/config.js'),
      import('../credit-control/settings.js'),
    ]);
    return { config: loadConfig(env), settings: loadChargingSettings(env.CHARGING_CONFIG) };
  },
  async execute(_parsed, { config, settings }) {
    const { startServer } = await import('../server/start.js');
    const server = await startServer(config, { settings });
    await untilSignal();
    await server.close();
    return 0;
  },
});
