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

/**
 * A server's own faults as log lines too: an exception or a rejection nothing handled is logged
 * at fatal, then the process exits 1 as Node would have; Node's warnings (deprecations,
 * MaxListeners) are logged at warn instead of printed as plain text on stderr.
 */
export function logProcessFaults(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    logger.warn({ warning: warning.name, detail: warning.message }, 'Node.js warning'),
  );
  process.on('uncaughtException', (err, origin) => {
    logger.fatal({ err, origin }, 'uncaught exception: exiting');
    process.exit(1);
  });
}
