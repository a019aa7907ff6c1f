/**
 * The VPN Lua scripts (lua/*.lua), read once and defined on a client with ioredis's
 * `defineCommand` (EVALSHA, falling back to EVAL after a Redis restart or failover).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis, Result } from 'ioredis';

const LUA_DIR = new URL('./lua/', import.meta.url);

/** Command name -> Lua file (without .lua) and the number of KEYS it takes. */
export const VPN_SCRIPTS = {
  vpnRegister: { file: 'register', keys: 3 },
  vpnUnregister: { file: 'unregister', keys: 4 },
  vpnPutGroup: { file: 'put-group', keys: 2 },
  vpnRecord: { file: 'record', keys: 3 },
  vpnUnlock: { file: 'unlock', keys: 1 },
} as const;

type VpnScriptName = keyof typeof VPN_SCRIPTS;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    vpnRegister(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnUnregister(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnPutGroup(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnRecord(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    vpnUnlock(...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

let sources: Record<VpnScriptName, string> | undefined;

export function vpnScriptSources(): Record<VpnScriptName, string> {
  if (!sources) {
    const loaded = {} as Record<VpnScriptName, string>;
    for (const [name, { file }] of Object.entries(VPN_SCRIPTS) as [VpnScriptName, { file: string }][]) {
      loaded[name] = readFileSync(new URL(`${file}.lua`, LUA_DIR), 'utf8');
    }
    sources = loaded;
  }
  return sources;
}

const registered = new WeakSet<Redis | Cluster>();

/** Defines every VPN script as a command on the client; safe to call more than once. */
export function registerVpnScripts(redis: Redis | Cluster): void {
  if (registered.has(redis)) return;
  const lua = vpnScriptSources();
  for (const [name, { keys }] of Object.entries(VPN_SCRIPTS) as [VpnScriptName, { keys: number }][]) {
    redis.defineCommand(name, { numberOfKeys: keys, lua: lua[name] });
  }
  registered.add(redis);
}

/** A script's reply `{code, ...details}` as a code and its details. */
export function scriptReply(reply: unknown): { code: number; details: unknown[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') {
    throw new Error(`VPN script returned an unexpected reply: ${JSON.stringify(reply)}`);
  }
  return { code: reply[0], details: reply.slice(1) };
}
