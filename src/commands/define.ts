import { asksForHelp, type ArgSpec } from './arguments.js';
import type { Command } from './command.js';
import { formatHelp, formatUsage, type HelpText } from './help.js';

/** A command as it is written: its arguments, its help, its configuration, its work. */
export interface CommandSpec<Parsed, Needs> {
  name: string;
  /** The line of `ocs --help`, after `ocs `. */
  usage: string;
  summary: string;
  args: ArgSpec;
  help: HelpText;
  /** Reads the arguments alone: no connection, no file, no configuration; a mistake is a UsageError. */
  parse(args: string[]): Parsed | Promise<Parsed>;
  /** Reads from the environment the configuration this command uses, and no other. */
  configure(env: NodeJS.ProcessEnv): Needs | Promise<Needs>;
  /** Does the work; resolves with the exit code. */
  execute(parsed: Parsed, needs: Needs): Promise<number>;
}

/** The Command: `--help` first, then the arguments, then the configuration, then the work. */
export function defineCommand<Parsed, Needs>(spec: CommandSpec<Parsed, Needs>): Command<Needs> {
  const help = formatHelp(spec.name, spec.help, spec.args);
  const printsHelp = (args: readonly string[]) => {
    if (!asksForHelp(args, spec.args)) return false;
    console.log(help);
    return true;
  };
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    help,
    usageText: formatUsage(spec.name, spec.help, spec.args),
    async main(args, env) {
      if (printsHelp(args)) return 0;
      const parsed = await spec.parse(args);
      return spec.execute(parsed, await spec.configure(env));
    },
    async run(args, needs) {
      if (printsHelp(args)) return 0;
      return spec.execute(await spec.parse(args), needs);
    },
  };
}
