import type { ArgSpec } from './arguments.js';

/** What `ocs NAME --help` says beside the flags, which come from the command's ArgSpec. */
export interface HelpText {
  /** The usage lines, after `ocs `. */
  synopsis: readonly string[];
  /** One paragraph: what the command does. */
  description: string;
  /** Each positional argument and what it is. */
  arguments?: readonly (readonly [string, string])[];
  /** Each environment variable the command reads: what it is, and its default. */
  environment: readonly (readonly [string, string])[];
  examples?: readonly string[];
}

const WIDTH = 100;
/** A name longer than this has its meaning on the next line. */
const NAME_COLUMN = 22;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function table(title: string, rows: readonly (readonly [string, string])[]): string {
  if (rows.length === 0) return `${title}: none`;
  const column = Math.min(Math.max(...rows.map(([name]) => name.length)), NAME_COLUMN) + 4;
  const pad = ' '.repeat(column);
  const lines = rows.flatMap(([name, meaning]) => {
    const [first = '', ...rest] = wrap(meaning, WIDTH - column);
    const head = `  ${name}`;
    const body = rest.map((l) => pad + l);
    return head.length < column ? [head.padEnd(column) + first, ...body] : [head, pad + first, ...body];
  });
  return `${title}:\n${lines.join('\n')}`;
}

function flagRows(spec: ArgSpec): [string, string][] {
  return [
    ...Object.entries(spec.flags).map(([name, f]): [string, string] => [
      `--${name}${f.value ? ` ${f.value}` : ''}`,
      f.meaning,
    ]),
    ['-h, --help', 'print this help and do nothing else'],
  ];
}

function synopsis(name: string, text: HelpText): string {
  const [first = name, ...more] = text.synopsis;
  return [`Usage: ocs ${first}`, ...more.map((s) => `       ocs ${s}`)].join('\n');
}

function argumentTables(text: HelpText, spec: ArgSpec): string[] {
  const tables = text.arguments?.length ? [table('Arguments', text.arguments)] : [];
  return [...tables, table('Options', flagRows(spec))];
}

/** The usage lines, the arguments and the flags: what a mistake is printed with. */
export function formatUsage(name: string, text: HelpText, spec: ArgSpec): string {
  return [synopsis(name, text), ...argumentTables(text, spec)].join('\n\n');
}

/** The whole of `ocs NAME --help`. */
export function formatHelp(name: string, text: HelpText, spec: ArgSpec): string {
  const parts = [
    synopsis(name, text),
    wrap(text.description, WIDTH).join('\n'),
    ...argumentTables(text, spec),
  ];
  parts.push(table('Environment', text.environment));
  if (text.examples?.length) parts.push(`Examples:\n${text.examples.map((e) => `  ${e}`).join('\n')}`);
  return parts.join('\n\n');
}
