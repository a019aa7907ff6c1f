#!/usr/bin/env node
import { ChargingSettingsError } from './credit-control/settings.js';
import { ConfigError, loadConfig } from './config/config.js';
import { UsageError } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import { ProvisioningError } from './provisioning/document.js';
import { RedisUnavailableError } from './redis/local-redis.js';
import { VERSION } from './version.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length)) + 2;
  return `ocs ${VERSION}: a Diameter Gy/Ro online charging server

Usage:
${COMMANDS.map((c) => `  ocs ${c.usage.padEnd(width)}${c.summary}`).join('\n')}
  ocs --version | --help
`;
}

/** Errors that explain themselves: printed as one message, without a stack trace. */
const EXPLAINED = [ConfigError, ChargingSettingsError, ProvisioningError, RedisUnavailableError];

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version') {
    console.log(VERSION);
    return 0;
  }
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command ${name}`);
  return command.run(args, loadConfig());
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${usage()}`);
    else if (EXPLAINED.some((kind) => err instanceof kind)) console.error(`ocs: ${(err as Error).message}`);
    else console.error(err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
