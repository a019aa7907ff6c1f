import type { Config } from '../config/config.js';

/** One `ocs` sub-command. */
export interface Command {
  name: string;
  /** One usage line, e.g. `provision FILE`. */
  usage: string;
  summary: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(args: string[], config: Config): Promise<number>;
}

/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Resolves once SIGINT or SIGTERM arrives (the first one only). */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
