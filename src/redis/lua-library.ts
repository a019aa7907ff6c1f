/**
 * Scripts as the functions of one Redis function library (FUNCTION LOAD, Redis 7): the Lua they
 * share (includes, lua-include.ts) is then defined once, when the library loads, instead of on
 * every call as an EVAL script must; that is about a third of the Lua heap a call allocates.
 * The library's name carries a hash of its code, so that servers of different versions (a
 * rolling deploy) each call their own functions (DESIGN §5, The function library).
 */
import { createHash } from 'node:crypto';
import { INCLUDE_LINE, inlineIncludes } from './lua-include.js';

export interface LuaLibrary<Name extends string = string> {
  /** `<baseName>_<12 hex digits of the code's SHA-1>`. */
  name: string;
  /** What FUNCTION LOAD takes: the shebang line, every include once, one function per script. */
  code: string;
  /** Script -> name of its function in the library. */
  functions: Record<Name, string>;
  /** Script -> name of its guarded function: the guard's key last in KEYS, its value last in ARGV. */
  guarded: Record<Name, string>;
}

export interface LibraryScript<Name extends string> {
  name: Name;
  /** The script's Lua as written, its include lines still in it. */
  text: string;
}

/**
 * Every script as a function of one library. Each include is inlined once at the top, in the
 * order the scripts first mention it; each script's body (its includes removed) becomes the
 * body of `function(KEYS, ARGV)`, so it reads its arguments as it does under EVAL. With
 * `guard` (script-call.ts's guardLua) each script also gets a guarded twin.
 */
export function buildLibrary<Name extends string>(
  baseName: string,
  scripts: LibraryScript<Name>[],
  readInclude: (include: string) => string,
  guard?: string,
): LuaLibrary<Name> {
  const includeLines = scripts.flatMap(({ text }) => text.split('\n').filter((l) => INCLUDE_LINE.test(l)));
  const shared = inlineIncludes(includeLines.join('\n'), readInclude, 'library');
  const bodies = scripts.map(({ name, text }) => {
    const body = text
      .split('\n')
      .map((l) => (INCLUDE_LINE.test(l) ? `-- (${l.slice(4)}: inlined at the top of the library)` : l))
      .join('\n');
    return { name, body };
  });
  const hash = createHash('sha1')
    .update(shared)
    .update(bodies.map((b) => `\0${b.name}\0${b.body}`).join(''))
    .digest('hex')
    .slice(0, 12);
  const name = `${baseName}_${hash}`;
  const functions = {} as Record<Name, string>;
  const guarded = {} as Record<Name, string>;
  const registered = bodies.map(({ name: script, body }) => {
    const fn = (functions[script] = `${name}_${script}`);
    const lines = [
      `BODY.${script} = function(KEYS, ARGV)\n${body.replace(/\n+$/, '')}\nend`,
      `redis.register_function('${fn}', BODY.${script})`,
    ];
    if (guard) {
      guarded[script] = `${fn}_guarded`;
      lines.push(
        `redis.register_function('${fn}_guarded', function(KEYS, ARGV) return guarded(BODY.${script}, KEYS, ARGV) end)`,
      );
    }
    return lines.join('\n');
  });
  const head = guard ? [`#!lua name=${name}`, shared, guard] : [`#!lua name=${name}`, shared];
  const code = [...head, 'local BODY = {}', ...registered].join('\n') + '\n';
  return { name, code, functions, guarded };
}
