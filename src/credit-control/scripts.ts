/**
 * The session Lua scripts (lua/session-save.lua, lua/operation-result.lua,
 * lua/session-unsupervise.lua), run with EVALSHA (src/redis/scripts.ts), and
 * their commands on a client, typed on ioredis's RedisCommander below.
 */
import type { Result } from 'ioredis';
import { defineScripts } from '../redis/scripts.js';

/** Command name -> Lua file (without .lua); the caller gives the number of keys, which varies. */
const SESSION_SCRIPTS = {
  ocsSessionSave: { file: 'session-save' },
  ocsOperationResult: { file: 'operation-result', keys: 1 },
  ocsSessionUnsupervise: { file: 'session-unsupervise', keys: 2 },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** numkeys, keys, then arguments (the number of keys varies with the request). */
    ocsSessionSave(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<string | null, Context>;
    /** The kept first result of a balance operation (its op:{m}:<opId> key), or null. */
    ocsOperationResult(key: string): Result<unknown, Context>;
    /** Removes the supervision entry while the record is still `asRead` ('' : gone); 1 if it did. */
    ocsSessionUnsupervise(
      record: string,
      supervision: string,
      asRead: string,
      member: string,
    ): Result<number, Context>;
  }
}

export const { register: registerSessionScripts } = defineScripts({
  dir: new URL('./lua/', import.meta.url),
  scripts: SESSION_SCRIPTS,
});
