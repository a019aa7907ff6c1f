import { UsageError } from './command.js';
import { COMMANDS } from './index.js';
import { VERSION } from '../version.js';

/** `ocs --help`: every command on one line. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length)) + 2;
  return `ocs ${VERSION}: a Diameter Gy/Ro online charging server

Usage:
${COMMANDS.map((c) => `  ocs ${c.usage.padEnd(width)}${c.summary}`).join('\n')}
  ocs --version | --help

ocs COMMAND --help: the command's flags, defaults and environment variables.
`;
}

/**
 * Errors that explain themselves: printed as one line, without a stack trace. Their modules
 * are loaded here only when an error has come (a command that threw one has loaded it already).
 */
async function explainsItself(err: unknown): Promise<boolean> {
  if (!(err instanceof Error)) return false;
  const kinds = await Promise.all([
    import('../config/config.js').then((m) => m.ConfigError),
    import('../credit-control/settings.js').then((m) => m.ChargingSettingsError),
    import('../provisioning/document.js').then((m) => m.ProvisioningError),
    import('../redis/local-redis.js').then((m) => m.RedisUnavailableError),
  ]);
  return kinds.some((kind) => err instanceof kind);
}

/**
 * Runs `ocs ARGV...`; resolves with the exit code: 0, 1 when the work failed, 2 for a mistake
 * in the command line (printed with the usage of the command it was made in).
 */
export async function runOcs(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version') {
    console.log(VERSION);
    return 0;
  }
  if (!name || name === '--help' || name === '-h') {
    console.log(overview());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`ocs: unknown command ${name}\n\n${overview()}`);
    return 2;
  }
  try {
    return await command.main(args, env);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${command.usageText}\n\nocs ${name} --help says more.`);
      return 2;
    }
    if (await explainsItself(err)) {
      console.error(`ocs: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
}
