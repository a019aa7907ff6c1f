import { parseArgs } from 'node:util';
import { UsageError } from './command.js';

/** One flag of a command: how it is read, and how `--help` shows it. */
export interface Flag {
  type: 'string' | 'boolean';
  /** Given more than once, every value is kept. */
  multiple?: boolean;
  /** The value's name in the help, e.g. TIME. */
  value?: string;
  /** What it does, and its default when it has one. */
  meaning: string;
}

export type Flags = Readonly<Record<string, Flag>>;

/** What a command takes on its command line. */
export interface ArgSpec {
  flags: Flags;
  /** Positional arguments that must be there, by the names the help gives them. */
  required?: readonly string[];
  /** Positional arguments that may follow them. */
  optional?: readonly string[];
}

/** Every command has it; it wins over any mistake beside it. */
const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

/** parseArgs' own result type for the spec's flags: each value typed by its flag. */
type Read<S extends ArgSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: S['flags']; strict: true; allowPositionals: true }>
>;

function tokensOf(args: readonly string[], flags: Flags) {
  const options = { ...flags, ...HELP_FLAG };
  return parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** `--help` or `-h` before any `--`, whatever else the arguments hold. */
export function asksForHelp(args: readonly string[], spec: ArgSpec): boolean {
  return tokensOf(args, spec.flags).some((t) => t.kind === 'option' && t.name === 'help');
}

type OptionToken = Extract<ReturnType<typeof tokensOf>[number], { kind: 'option' }>;

/** What is wrong with one flag as given, if anything. */
function flagMistake(t: OptionToken, flag: Flag | undefined): string | undefined {
  if (flag === undefined) return `unknown option ${t.rawName}`;
  if (flag.type === 'boolean') return t.value === undefined ? undefined : `${t.rawName} takes no value`;
  if (t.value === undefined) return `${t.rawName} needs a value`;
  // parseArgs refuses `--flag -x` as ambiguous: -x may be a forgotten value or the next flag.
  if (!t.inlineValue && t.value.startsWith('-')) {
    return `${t.rawName} needs a value (one that starts with - is written ${t.rawName}=${t.value})`;
  }
  return undefined;
}

/** The first argument parseArgs refused, named as the operator typed it. */
function refusal(command: string, args: readonly string[], spec: ArgSpec, err: unknown): UsageError {
  for (const t of tokensOf(args, spec.flags)) {
    if (t.kind !== 'option' || t.name === 'help') continue;
    const mistake = flagMistake(t, spec.flags[t.name]);
    if (mistake) return new UsageError(`ocs ${command}: ${mistake}`);
  }
  return new UsageError(`ocs ${command}: ${(err as Error).message}`);
}

/**
 * Reads a command line strictly: an unknown flag, a flag without its value, a missing or an
 * extra positional argument is a UsageError naming it, before the command does anything.
 */
export function readArgs<const S extends ArgSpec>(
  command: string,
  args: readonly string[],
  spec: S,
): Read<S> {
  let read;
  try {
    read = parseArgs({
      args,
      options: { ...spec.flags, ...HELP_FLAG },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw refusal(command, args, spec, err);
  }
  const required = spec.required ?? [];
  const most = required.length + (spec.optional?.length ?? 0);
  const missing = required[read.positionals.length];
  if (missing) throw new UsageError(`ocs ${command}: ${missing} missing`);
  const extra = read.positionals[most];
  if (extra !== undefined) {
    throw new UsageError(
      most === 0
        ? `ocs ${command}: unexpected argument ${extra} (it takes none)`
        : `ocs ${command}: unexpected argument ${extra} (after ${[...required, ...(spec.optional ?? [])].join(' ')})`,
    );
  }
  return read as Read<S>;
}
