/**
 * The Lua scripts of the balance store, read and preprocessed once, and the commands that run
 * them on a client (`redis.ocsApply(...keys, ...args)` and so on, typed on ioredis's
 * RedisCommander below).
 *
 * On Redis 7 and later every script is a function of ONE library (`FUNCTION LOAD`), called with
 * FCALL: the helpers the scripts share (lua/includes) are then defined once, when the library
 * loads, instead of on every call as an EVAL script must; that is about a third of the Lua heap
 * a call allocates. The library's name carries a hash of its code, so that servers of different
 * versions (a rolling deploy) each call their own functions; a library that is missing (a new
 * Redis, FUNCTION FLUSH) is loaded again on the first "Function not found". Where functions
 * cannot be used (Redis 6, or an ACL that denies FUNCTION) the same scripts run with EVALSHA,
 * falling back to EVAL on NOSCRIPT.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ReplyError, type Cluster, type Redis, type Result } from 'ioredis';
import { BalanceCode } from './errors.js';
import { INCLUDE_LINE, inlineIncludes } from './lua-include.js';

const LUA_DIR = new URL('./lua/', import.meta.url);

/** Command name -> Lua file (without .lua) and the number of KEYS it takes. */
export const SCRIPTS = {
  ocsAuthenticate: { file: 'authenticate', keys: 1 },
  ocsApply: { file: 'apply', keys: 4 },
  ocsDeduct: { file: 'deduct', keys: 4 },
  ocsRelease: { file: 'release', keys: 4 },
  ocsSettle: { file: 'settle', keys: 4 },
  ocsDirectDebit: { file: 'direct-debit', keys: 3 },
  ocsTopup: { file: 'topup', keys: 3 },
  ocsRefund: { file: 'refund', keys: 3 },
  ocsSetBucket: { file: 'set-bucket', keys: 3 },
  ocsResetFreeCredits: { file: 'reset-free-credits', keys: 2 },
  ocsExpireReservations: { file: 'expire-reservations', keys: 3 },
  ocsUpsertAccount: { file: 'upsert-account', keys: 2 },
  ocsIndexCleanup: { file: 'index-cleanup', keys: 1 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Keys first (as many as the script's `keys`), then ARGV. */
export type ScriptArg = string | number;

/**
 * A condition on a call: it runs only if `key` (a string in the account's slot) holds exactly
 * `value`; otherwise it changes nothing and answers GUARD_FAILED. The caller acts on what it
 * read earlier (a cached session record) without reading it again first.
 */
export interface Guard {
  key: string;
  value: string;
}

/** Keys and arguments of a script call, then optionally its guard. */
export type ScriptCallArg = ScriptArg | Guard;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    ocsAuthenticate(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsApply(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsDeduct(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsRelease(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsSettle(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsDirectDebit(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsTopup(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsRefund(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsSetBucket(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsResetFreeCredits(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsExpireReservations(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsUpsertAccount(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsIndexCleanup(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
  }
}

const SCRIPT_NAMES = Object.keys(SCRIPTS) as ScriptName[];

let sources: Record<ScriptName, string> | undefined;
let lib: Library | undefined;

function readLua(relative: string): string {
  return readFileSync(new URL(relative, LUA_DIR), 'utf8');
}

const readInclude = (include: string) => readLua(`includes/${include}.lua`);

/** The preprocessed source of every script, as EVAL runs it, read from disk on first use. */
export function scriptSources(): Record<ScriptName, string> {
  if (!sources) {
    const loaded = {} as Record<ScriptName, string>;
    for (const name of SCRIPT_NAMES) {
      const { file } = SCRIPTS[name];
      loaded[name] = inlineIncludes(readLua(`${file}.lua`), readInclude, file);
    }
    sources = loaded;
  }
  return sources;
}

const guardedSources: Partial<Record<ScriptName, string>> = {};

/** A script as EVAL runs it with a guard: its body wrapped, the guard checked first. */
function guardedSource(name: ScriptName): string {
  return (guardedSources[name] ??= [
    GUARD_LUA,
    `local function body(KEYS, ARGV)\n${scriptSources()[name]}\nend`,
    'return guarded(body, KEYS, ARGV)',
  ].join('\n'));
}

export interface Library {
  /** `ocs_balance_<12 hex digits of the code's SHA-1>`. */
  name: string;
  /** What FUNCTION LOAD takes: the shebang line, every include once, one function per script. */
  code: string;
  /** Script -> name of its function in the library. */
  functions: Record<ScriptName, string>;
  /** Script -> name of its guarded function: the guard's key last in KEYS, its value last in ARGV. */
  guarded: Record<ScriptName, string>;
}

/** Runs `body` only if the last key holds the last argument; both are taken off first. */
const GUARD_LUA = `local function guarded(body, KEYS, ARGV)
  local n, a = #KEYS, #ARGV
  if redis.call('GET', KEYS[n]) ~= ARGV[a] then
    return { ${BalanceCode.GUARD_FAILED}, 'the guard key no longer holds the value' }
  end
  KEYS[n] = nil
  ARGV[a] = nil
  return body(KEYS, ARGV)
end`;

/**
 * Every script as a function of one library. Each include is inlined once at the top, in the
 * order the scripts first mention it; each script's body (its includes removed) becomes the
 * body of `function(KEYS, ARGV)`, so it reads its arguments as it does under EVAL.
 */
export function library(): Library {
  if (!lib) {
    const files = SCRIPT_NAMES.map((name) => ({ name, text: readLua(`${SCRIPTS[name].file}.lua`) }));
    const includeLines = files.flatMap(({ text }) => text.split('\n').filter((l) => INCLUDE_LINE.test(l)));
    const shared = inlineIncludes(includeLines.join('\n'), readInclude, 'library');
    const bodies = files.map(({ name, text }) => {
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
    const name = `ocs_balance_${hash}`;
    const functions = {} as Record<ScriptName, string>;
    const guarded = {} as Record<ScriptName, string>;
    const registered = bodies.map(({ name: script, body }) => {
      const fn = (functions[script] = `${name}_${script}`);
      guarded[script] = `${fn}_guarded`;
      return [
        `BODY.${script} = function(KEYS, ARGV)\n${body.replace(/\n+$/, '')}\nend`,
        `redis.register_function('${fn}', BODY.${script})`,
        `redis.register_function('${fn}_guarded', function(KEYS, ARGV) return guarded(BODY.${script}, KEYS, ARGV) end)`,
      ].join('\n');
    });
    const code =
      [`#!lua name=${name}`, shared, GUARD_LUA, 'local BODY = {}', ...registered].join('\n') + '\n';
    lib = { name, code, functions, guarded };
  }
  return lib;
}

type Mode = 'function' | 'eval';

/** How one client runs the scripts: FCALL while it can, EVALSHA otherwise. */
class ScriptRunner {
  mode: Mode = 'function';
  private loading: Promise<void> | undefined;
  private readonly shas = new Map<string, string>();

  constructor(private readonly redis: Redis | Cluster) {}

  call(name: ScriptName, keysAndArgs: ScriptCallArg[], retried = false): Promise<unknown> {
    const last = keysAndArgs[keysAndArgs.length - 1];
    const guard = typeof last === 'object' ? last : undefined;
    const plain = (guard ? keysAndArgs.slice(0, -1) : keysAndArgs) as ScriptArg[];
    const keys = SCRIPTS[name].keys;
    const all = guard ? [...plain.slice(0, keys), guard.key, ...plain.slice(keys), guard.value] : plain;
    const numKeys = guard ? keys + 1 : keys;
    if (this.mode === 'eval') return this.eval(name, guard !== undefined, numKeys, all);
    const fn = guard ? library().guarded[name] : library().functions[name];
    const reply = this.redis.fcall(fn, numKeys, ...all);
    return retried ? reply : reply.catch((err: unknown) => this.recover(err, name, keysAndArgs));
  }

  /** Loads the library (on every master of a cluster); any refusal switches to EVALSHA. */
  load(): Promise<void> {
    this.loading ??= this.loadOnce().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    const { code } = library();
    const targets = this.redis.isCluster ? (this.redis as Cluster).nodes('master') : [this.redis];
    try {
      await Promise.all(targets.map((node) => node.call('FUNCTION', 'LOAD', 'REPLACE', code)));
    } catch (err) {
      // Redis 6 (unknown command), an ACL without FUNCTION, a server that refuses the library:
      // the scripts run as they are, with EVALSHA. Connection errors are not the server's answer.
      if (!(err instanceof ReplyError)) throw err;
      this.mode = 'eval';
    }
  }

  private async recover(err: unknown, name: ScriptName, keysAndArgs: ScriptCallArg[]): Promise<unknown> {
    const message = err instanceof Error ? err.message : '';
    if (/Function not found/i.test(message)) {
      await this.load();
    } else if (/unknown command/i.test(message)) {
      this.mode = 'eval';
    } else {
      throw err;
    }
    return this.call(name, keysAndArgs, true);
  }

  private async eval(
    name: ScriptName,
    guarded: boolean,
    keys: number,
    keysAndArgs: ScriptArg[],
  ): Promise<unknown> {
    const lua = guarded ? guardedSource(name) : scriptSources()[name];
    const id = guarded ? `${name}:guarded` : name;
    let sha = this.shas.get(id);
    if (!sha) {
      sha = createHash('sha1').update(lua).digest('hex');
      this.shas.set(id, sha);
    }
    try {
      return await this.redis.evalsha(sha, keys, ...keysAndArgs);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return this.redis.eval(lua, keys, ...keysAndArgs);
    }
  }
}

const runners = new WeakMap<Redis | Cluster, ScriptRunner>();

/**
 * Defines every script as a command on the client and starts loading the library, so that the
 * calls that follow on the connection find it; safe to call more than once.
 */
export function registerScripts(redis: Redis | Cluster): void {
  if (runners.has(redis)) return;
  const runner = new ScriptRunner(redis);
  runners.set(redis, runner);
  const commands = redis as unknown as Record<
    ScriptName,
    (...keysAndArgs: ScriptCallArg[]) => Promise<unknown>
  >;
  for (const name of SCRIPT_NAMES) {
    commands[name] = (...keysAndArgs: ScriptCallArg[]) => runner.call(name, keysAndArgs);
  }
  runner.load().catch(() => {
    // not connected yet: the first call that finds no function loads it again
  });
}

/** How the client runs the scripts, once registered: 'function' (FCALL) or 'eval' (EVALSHA). */
export function scriptMode(redis: Redis | Cluster): Mode | undefined {
  return runners.get(redis)?.mode;
}
