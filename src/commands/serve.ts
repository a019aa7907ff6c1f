import { loadChargingSettings } from '../credit-control/settings.js';
import { startServer } from '../server/start.js';
import { untilSignal, type Command } from './command.js';

export const serve: Command = {
  name: 'serve',
  usage: 'serve',
  summary: 'start the server (configuration from the environment, see README)',
  async run(_args, config) {
    const settings = loadChargingSettings(process.env.CHARGING_CONFIG);
    const server = await startServer(config, { settings, installRedis: true });
    await untilSignal();
    await server.close();
    return 0;
  },
};
