/**
 * The one way a module's Lua scripts become commands on a client (`redis.ocsApply(...)`): the
 * module gives its table of scripts, and each script runs either as a function of the module's
 * library, with FCALL on Redis 7 and EVALSHA where functions cannot be used (script-runner.ts),
 * or with EVALSHA through ioredis's `defineCommand`, falling back to EVAL after a Redis restart
 * or failover. The module declares the commands' types on ioredis's RedisCommander itself.
 * Files are read once, on first use; `--- @include` lines are inlined (lua-include.ts).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { buildLibrary, type LuaLibrary } from './lua-library.js';
import { inlineIncludes } from './lua-include.js';
import { guardedScript, guardLua, type ScriptCallArg } from './script-call.js';
import { ScriptRunner, type RunnableScripts, type ScriptMode } from './script-runner.js';

export interface ScriptSpec {
  /** The Lua file in the module's Lua folder, without `.lua`. */
  readonly file: string;
  /** How many arguments are KEYS; absent: the caller passes that number first (not in a library). */
  readonly keys?: number;
  /** A function of the module's library; otherwise a script of its own, run with EVALSHA. */
  readonly library?: boolean;
}

export interface ScriptTable<Name extends string> {
  /** The module's Lua folder; includes are read from its `includes/`. */
  dir: URL;
  /** Command name -> script. */
  scripts: Readonly<Record<Name, ScriptSpec>>;
  /** The library's name before its hash; needed when a script is part of a library. */
  library?: string;
  /** What a guarded call answers when the guard no longer holds (script-call.ts). */
  guardFailedCode?: number;
}

export interface Scripts<Name extends string> {
  /** Every script as EVAL runs it, includes inlined. */
  sources(): Record<Name, string>;
  /** The library of the scripts that are part of one. */
  library(): LuaLibrary<Name>;
  /**
   * Defines every script as a command on the client and starts loading the library, so that
   * the calls that follow on the connection find it; safe to call more than once.
   */
  register(redis: Redis | Cluster): void;
  /** How the client runs the library, once registered: 'function' (FCALL) or 'eval' (EVALSHA). */
  mode(redis: Redis | Cluster): ScriptMode | undefined;
}

export function defineScripts<Name extends string>(table: ScriptTable<Name>): Scripts<Name> {
  const names = Object.keys(table.scripts) as Name[];
  const inLibrary = names.filter((name) => table.scripts[name].library);
  const own = names.filter((name) => !table.scripts[name].library);
  const libraryName = table.library;
  if (inLibrary.length > 0 && libraryName === undefined) {
    throw new Error('scripts in a library need its name');
  }
  const guard = table.guardFailedCode === undefined ? undefined : guardLua(table.guardFailedCode);
  const read = (relative: string) => readFileSync(new URL(relative, table.dir), 'utf8');
  const readInclude = (include: string) => read(`includes/${include}.lua`);

  let sources: Record<Name, string> | undefined;
  let built: LuaLibrary<Name> | undefined;
  const registered = new WeakSet<Redis | Cluster>();
  const runners = new WeakMap<Redis | Cluster, ScriptRunner<Name>>();
  const guardedSources: Partial<Record<Name, string>> = {};
  const keys = {} as Record<Name, number>;
  for (const name of names) keys[name] = table.scripts[name].keys ?? 0;

  const set: Scripts<Name> & RunnableScripts<Name> = {
    keys,
    sources() {
      if (!sources) {
        const loaded = {} as Record<Name, string>;
        for (const name of names) {
          const { file } = table.scripts[name];
          loaded[name] = inlineIncludes(read(`${file}.lua`), readInclude, file);
        }
        sources = loaded;
      }
      return sources;
    },
    library() {
      built ??= buildLibrary(
        libraryName ?? '',
        inLibrary.map((name) => ({ name, text: read(`${table.scripts[name].file}.lua`) })),
        readInclude,
        guard,
      );
      return built;
    },
    evalSource(name, guarded) {
      if (!guarded || !guard) return set.sources()[name];
      return (guardedSources[name] ??= guardedScript(guard, set.sources()[name]));
    },
    register(redis) {
      if (registered.has(redis)) return;
      registered.add(redis);
      for (const name of own) {
        const { keys: numberOfKeys } = table.scripts[name];
        const lua = set.sources()[name];
        redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
      }
      if (inLibrary.length === 0) return;
      const runner = new ScriptRunner(redis, set);
      runners.set(redis, runner);
      const commands = redis as unknown as Record<
        Name,
        (...keysAndArgs: ScriptCallArg[]) => Promise<unknown>
      >;
      for (const name of inLibrary) {
        commands[name] = (...keysAndArgs: ScriptCallArg[]) => runner.call(name, keysAndArgs);
      }
      runner.load().catch(() => {
        // not connected yet: the first call that finds no function loads it again
      });
    },
    mode: (redis) => runners.get(redis)?.mode,
  };
  return set;
}
