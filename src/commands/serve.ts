import type { Config } from '../config/config.js';
import type { ChargingSettings } from '../credit-control/settings.js';
import type { ExportConfig } from '../export/config.js';
import type { Logger } from '../logging.js';
import type { RunningServer } from '../server/start.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { untilSignal } from './command.js';
import { defineCommand } from './define.js';
import { SERVER_ENVIRONMENT } from './server-environment.js';

const ARGS = { flags: {} } as const satisfies ArgSpec;

/** The server's whole configuration: the environment of README "Configuration". */
export interface ServeNeeds {
  config: Config;
  settings: ChargingSettings;
  exportConfig: ExportConfig;
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
      '/readyz) and serves until SIGINT or SIGTERM, then shuts down within SHUTDOWN_TIMEOUT_MS: ' +
      'requests in progress are answered and each peer gets a DPR before it exits. It takes no flags: its configuration is the ' +
      'environment, checked at start (a bad value stops it with the variable and the reason). ' +
      'Without REDIS_URL it starts a private redis-server on a loopback port, for trials only, ' +
      'when one is installed; otherwise it stops and says to set REDIS_URL or install redis-server.',
    environment: SERVER_ENVIRONMENT,
  },
  parse: (args) => void readArgs('serve', args, ARGS),
  async configure(env) {
    const [{ loadConfig }, { loadChargingSettings }, { loadExportConfig }] = await Promise.all([
      import('../config/config.js'),
      import('../credit-control/settings.js'),
      import('../export/config.js'),
    ]);
    return {
      config: loadConfig(env),
      settings: loadChargingSettings(env.CHARGING_CONFIG),
      exportConfig: loadExportConfig(env),
    };
  },
  async execute(_parsed, { config, settings, exportConfig }) {
    const [{ startServer }, { createLogger, logProcessFaults }] = await Promise.all([
      import('../server/start.js'),
      import('../logging.js'),
    ]);
    const logger = createLogger(config.logLevel);
    logProcessFaults(logger);
    let server: RunningServer;
    try {
      server = await startServer(config, { settings, logger, export: exportConfig });
    } catch (err) {
      // A start that fails is a log line like the others, for the log shipper, not a stack on stderr.
      logger.fatal({ err }, 'server not started');
      return 1;
    }
    await untilSignal();
    return shutDown(server, config.shutdownTimeoutMs, logger);
  },
});

/**
 * Closes the server within SHUTDOWN_TIMEOUT_MS: 0 after a clean drain, 1 when the bound cut
 * connections off or closing outlived it (the process then exits with whatever is left open).
 */
async function shutDown(server: RunningServer, timeoutMs: number, logger: Logger): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const outcome = await Promise.race([server.close(), late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome ? 0 : 1;
  logger.error({ timeoutMs }, 'SHUTDOWN_TIMEOUT_MS passed before the server closed; exiting');
  return 1;
}
