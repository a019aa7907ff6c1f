/**
 * The VPN Lua scripts (lua/*.lua), each run with EVALSHA (src/redis/scripts.ts), and the
 * commands that run them on a client, typed on ioredis's RedisCommander below.
 */
import type { Result } from 'ioredis';
import { defineScripts } from '../redis/scripts.js';

/** Command name -> Lua file (without .lua) and the number of KEYS it takes. */
export const VPN_SCRIPTS = {
  vpnRegister: { file: 'register', keys: 3 },
  vpnUnregister: { file: 'unregister', keys: 4 },
  vpnPutGroup: { file: 'put-group', keys: 2 },
  vpnRecord: { file: 'record', keys: 3 },
  vpnUnlock: { file: 'unlock', keys: 1 },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    vpnRegister(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnUnregister(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnPutGroup(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnRecord(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnUnlock(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export const { register: registerVpnScripts } = defineScripts({
  dir: new URL('./lua/', import.meta.url),
  scripts: VPN_SCRIPTS,
});

/** A script's reply `{code, ...details}` as a code and its details. */
export function scriptReply(reply: unknown): { code: number; details: unknown[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') {
    throw new Error(`VPN script returned an unexpected reply: ${JSON.stringify(reply)}`);
  }
  return { code: reply[0], details: reply.slice(1) };
}
