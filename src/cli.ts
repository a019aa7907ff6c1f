#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BalanceStore } from './balance/index.js';
import { TariffCatalog } from './catalog/tariffs.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { SessionKeys } from './credit-control/keys.js';
import { ChargingSettingsError, loadChargingSettings } from './credit-control/settings.js';
import { runTour } from './demo/tour.js';
import { createLogger } from './logging.js';
import { startServer, type RunningServer } from './main.js';
import { provision } from './provisioning/apply.js';
import { ProvisioningError, readDocumentFile } from './provisioning/document.js';
import { connectRedis } from './redis/connect.js';
import { RedisUnavailableError } from './redis/local-redis.js';
import { VERSION } from './version.js';

const USAGE = `ocs ${VERSION}: a Diameter Gy/Ro online charging server

Usage:
  ocs serve                 start the server (configuration from the environment, see README)
  ocs provision FILE        load tariffs and accounts from a YAML or JSON document (needs REDIS_URL)
  ocs demo [--once]         start a server with a private Redis and demo data, and walk through it
  ocs --version | --help
`;

const DEMO_DOCUMENT = fileURLToPath(new URL('../demo/provisioning.yaml', import.meta.url));

function stopOnSignal(server: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function serve(config: Config): Promise<void> {
  const settings = loadChargingSettings(process.env.CHARGING_CONFIG);
  const server = await startServer(config, { settings, installRedis: true });
  await stopOnSignal(server);
}

async function provisionFile(config: Config, file: string): Promise<void> {
  if (!config.redisUrl)
    throw new ConfigError(['REDIS_URL: required to provision (the Redis the servers use)']);
  const redis = connectRedis(config.redisUrl);
  try {
    const summary = await provision(
      {
        redis,
        store: new BalanceStore({ redis }),
        catalog: new TariffCatalog(redis),
        sessionKeys: new SessionKeys(),
      },
      readDocumentFile(file),
    );
    console.log(
      `provisioned ${file}: ${summary.tariffs} tariffs, ${summary.accountsCreated} accounts created, ${summary.accountsUpdated} updated`,
    );
  } finally {
    redis.disconnect();
  }
}

async function demo(config: Config, once: boolean): Promise<void> {
  const token = config.adminToken ?? 'demo-admin-token-change-me';
  const server = await startServer(
    { ...config, adminToken: token },
    { logger: createLogger(process.env.LOG_LEVEL ?? 'warn'), installRedis: true },
  );
  try {
    const summary = await provision(
      { redis: server.redis, store: server.store, catalog: server.catalog, sessionKeys: server.sessionKeys },
      readFileSync(DEMO_DOCUMENT, 'utf8'),
    );
    console.log(
      `Demo OCS: Diameter on port ${server.diameterPort}, HTTP on ${server.httpPort}, Redis at ${server.redisUrl}`,
    );
    console.log(
      `Provisioned ${summary.tariffs} tariff and ${summary.accountsCreated + summary.accountsUpdated} accounts from demo/provisioning.yaml\n`,
    );
    const watched = ['8613800000001', '8613800000002', '8613800000003'];
    const before = await Promise.all(watched.map((m) => server.store.getAccount(m)));
    for (const line of await runTour(server.diameterPort)) {
      console.log(
        `  ${line.what.padEnd(62)} -> ${line.resultCode ?? '-'}${line.granted ? `  granted ${line.granted}` : ''}`,
      );
    }
    console.log('\nBalances (money, minor units):');
    for (const [i, msisdn] of watched.entries()) {
      const after = await server.store.getAccount(msisdn);
      const b = before[i]?.buckets.money?.available ?? 0;
      const a = after?.buckets.money;
      console.log(
        `  ${msisdn}: ${b} -> available ${a?.available ?? 0}, reserved ${a?.reserved ?? 0}, spent ${a?.spent ?? 0}`,
      );
    }
    console.log('\nLook further:');
    console.log(
      `  curl -s -H 'Authorization: Bearer ${token}' http://127.0.0.1:${server.httpPort}/v1/accounts/8613800000001`,
    );
    console.log(`  curl -s http://127.0.0.1:${server.httpPort}/metrics | grep ocs_`);
    console.log(`  REDIS_URL=${server.redisUrl} node dist/cli.js provision demo/provisioning.yaml`);
    if (once) return;
    console.log('\nServing until Ctrl-C.');
    await stopOnSignal(server);
  } finally {
    if (once) await server.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      once: { type: 'boolean' },
    },
  });
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await serve(config);
      return 0;
    case 'provision':
      if (!rest[0]) throw new UsageError('ocs provision FILE: name the document to load');
      await provisionFile(config, rest[0]);
      return 0;
    case 'demo':
      await demo(config, values.once ?? false);
      return 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else if (
      err instanceof ConfigError ||
      err instanceof ChargingSettingsError ||
      err instanceof ProvisioningError ||
      err instanceof RedisUnavailableError
    ) {
      console.error(`ocs: ${err.message}`);
    } else console.error(err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
