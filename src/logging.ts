import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout: the format log shippers read without configuration. */
export function createLogger(level: string, name = 'ocs'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
