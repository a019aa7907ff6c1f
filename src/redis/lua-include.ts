/**
 * Redis scripts cannot load files, so Lua that a module's scripts share (the balance store's
 * integer arithmetic, tiers, ledger, idempotency) lives in its `lua/includes/<name>.lua` and is
 * inlined where a script says `--- @include "<name>"` (BullMQ's convention). Includes may include others; each is inlined once per script, at its
 * first mention, so the locals it defines exist before any later include uses them.
 */

/** A line that includes another file. */
export const INCLUDE_LINE = /^--- @include "([A-Za-z0-9_-]+)"\s*$/;

export function inlineIncludes(
  source: string,
  readInclude: (name: string) => string,
  scriptName = 'script',
): string {
  const done = new Set<string>();

  const expand = (text: string, stack: string[]): string =>
    text
      .split('\n')
      .map((line) => {
        const match = INCLUDE_LINE.exec(line);
        if (!match) return line;
        const name = match[1] as string;
        if (stack.includes(name)) {
          throw new Error(`${scriptName}: include cycle ${[...stack, name].join(' -> ')}`);
        }
        if (done.has(name)) return `-- (include "${name}" already inlined)`;
        done.add(name);
        const body = expand(readInclude(name), [...stack, name]).replace(/\n+$/, '');
        return `-- begin include "${name}"\n${body}\n-- end include "${name}"`;
      })
      .join('\n');

  return expand(source, [scriptName]);
}
