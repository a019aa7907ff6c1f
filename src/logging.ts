import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout: the format log shippers read without configuration. `fd` 2 sends them
 * to stderr instead, for a command whose stdout is its output.
 */
export function createLogger(level: string, name = 'ocs', fd: 1 | 2 = 1): Logger {
  const options = { name, level, base: { pid: process.pid } };
  return fd === 1 ? pino(options) : pino(options, pino.destination(2));
}
