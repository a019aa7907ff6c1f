/**
 * The session Lua script (lua/session-save.lua), read once and defined on a client with
 * ioredis's `defineCommand` (EVALSHA, falling back to EVAL after a Redis restart or failover).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis, Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** numkeys, keys, then arguments (the number of keys varies with the request). */
    ocsSessionSave(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<string | null, Context>;
  }
}

let source: string | undefined;
const registered = new WeakSet<Redis | Cluster>();

/** Defines the session script as a command on the client; safe to call more than once. */
export function registerSessionScripts(redis: Redis | Cluster): void {
  if (registered.has(redis)) return;
  source ??= readFileSync(new URL('./lua/session-save.lua', import.meta.url), 'utf8');
  redis.defineCommand('ocsSessionSave', { lua: source });
  registered.add(redis);
}
