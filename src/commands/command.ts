/**
 * One `ocs` sub-command. It reads its arguments before anything else, so that `--help` and a
 * mistake are answered without a connection, a server or the configuration; then it reads from
 * the environment only the configuration it uses.
 */
export interface Command<Needs = never> {
  name: string;
  /** One usage line for `ocs --help`, e.g. `provision FILE`. */
  usage: string;
  summary: string;
  /** `ocs NAME --help`: its usage, what it does, its flags with their defaults, its environment. */
  help: string;
  /** What a mistake prints after its message: the usage lines, the arguments and the flags. */
  usageText: string;
  /** As `ocs NAME ARGS...` runs it: the arguments, then its configuration from `env`; the exit code. */
  main(args: string[], env: NodeJS.ProcessEnv): Promise<number>;
  /** The same with its configuration given, as a test or another program calls it. */
  run(args: string[], needs: Needs): Promise<number>;
}

/** A mistake in how a command was called: printed with that command's usage, exit code 2. */
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
