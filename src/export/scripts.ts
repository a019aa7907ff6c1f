/**
 * The export's Lua scripts (lua/*.lua), run with EVALSHA (src/redis/scripts.ts), and their
 * commands on a client, typed on ioredis's RedisCommander below.
 */
import type { Result } from 'ioredis';
import { defineScripts } from '../redis/scripts.js';

const EXPORT_SCRIPTS = {
  ocsExportClaim: { file: 'claim', keys: 2 },
  ocsExportCommit: { file: 'commit', keys: 2 },
  ocsExportLeader: { file: 'leader', keys: 1 },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    ocsExportClaim(
      pending: string,
      claimed: string,
      limit: number,
      maxScore: string,
    ): Result<string[], Context>;
    ocsExportCommit(
      cursors: string,
      stream: string,
      kind: string,
      lastId: string,
      keepFromMs: number,
    ): Result<[string | null, number], Context>;
    ocsExportLeader(
      key: string,
      action: 'renew' | 'release',
      token: string,
      ttlMs: number,
    ): Result<number, Context>;
  }
}

export const { register: registerExportScripts } = defineScripts({
  dir: new URL('./lua/', import.meta.url),
  scripts: EXPORT_SCRIPTS,
});
