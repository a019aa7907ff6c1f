/**
 * The Lua scripts of the balance store, read and preprocessed once, and registered on a client
 * with `defineCommand`, which sends EVALSHA and falls back to EVAL on NOSCRIPT (after a Redis
 * restart or failover). Each command is typed on ioredis's RedisCommander below.
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis, Result } from 'ioredis';
import { inlineIncludes } from './lua-include.js';

const LUA_DIR = new URL('./lua/', import.meta.url);

/** Command name -> Lua file (without .lua) and the number of KEYS it takes. */
export const SCRIPTS = {
  ocsAuthenticate: { file: 'authenticate', keys: 1 },
  ocsApply: { file: 'apply', keys: 5 },
  ocsDeduct: { file: 'deduct', keys: 5 },
  ocsRelease: { file: 'release', keys: 5 },
  ocsSettle: { file: 'settle', keys: 5 },
  ocsDirectDebit: { file: 'direct-debit', keys: 3 },
  ocsTopup: { file: 'topup', keys: 3 },
  ocsRefund: { file: 'refund', keys: 3 },
  ocsSetBucket: { file: 'set-bucket', keys: 3 },
  ocsResetFreeCredits: { file: 'reset-free-credits', keys: 2 },
  ocsExpireReservations: { file: 'expire-reservations', keys: 4 },
  ocsUpsertAccount: { file: 'upsert-account', keys: 2 },
  ocsIndexCleanup: { file: 'index-cleanup', keys: 1 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Keys first (as many as the script's `keys`), then ARGV. */
export type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    ocsAuthenticate(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsApply(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsDeduct(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsRelease(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsSettle(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsDirectDebit(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsTopup(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsRefund(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsSetBucket(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsResetFreeCredits(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsExpireReservations(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsUpsertAccount(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
    ocsIndexCleanup(...keysAndArgs: ScriptArg[]): Result<unknown, Context>;
  }
}

let sources: Record<ScriptName, string> | undefined;

function readLua(relative: string): string {
  return readFileSync(new URL(relative, LUA_DIR), 'utf8');
}

/** The preprocessed source of every script, read from disk on first use. */
export function scriptSources(): Record<ScriptName, string> {
  if (!sources) {
    const loaded = {} as Record<ScriptName, string>;
    for (const [name, { file }] of Object.entries(SCRIPTS) as [ScriptName, { file: string }][]) {
      loaded[name] = inlineIncludes(
        readLua(`${file}.lua`),
        (include) => readLua(`includes/${include}.lua`),
        file,
      );
    }
    sources = loaded;
  }
  return sources;
}

const registered = new WeakSet<Redis | Cluster>();

/** Defines every script as a command on the client; safe to call more than once. */
export function registerScripts(redis: Redis | Cluster): void {
  if (registered.has(redis)) return;
  const lua = scriptSources();
  for (const [name, { keys }] of Object.entries(SCRIPTS) as [ScriptName, { keys: number }][]) {
    redis.defineCommand(name, { numberOfKeys: keys, lua: lua[name] });
  }
  registered.add(redis);
}
