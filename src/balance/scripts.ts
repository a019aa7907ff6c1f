/**
 * The Lua scripts of the balance store (lua/*.lua), every one a function of the library
 * `ocs_balance_<hash>` (DESIGN §5, The function library), and the commands that run them on a
 * client (`redis.ocsApply(...keys, ...args)` and so on, typed on ioredis's RedisCommander below).
 */
import type { Result } from 'ioredis';
import type { ScriptCallArg } from '../redis/script-call.js';
import { defineScripts } from '../redis/scripts.js';
import { BalanceCode } from './errors.js';

/** Command name -> Lua file (without .lua), the number of KEYS it takes, part of the library. */
export const SCRIPTS = {
  ocsAuthenticate: { file: 'authenticate', keys: 2, library: true },
  ocsApply: { file: 'apply', keys: 4, library: true },
  ocsDeduct: { file: 'deduct', keys: 4, library: true },
  ocsRelease: { file: 'release', keys: 4, library: true },
  ocsSettle: { file: 'settle', keys: 4, library: true },
  ocsDirectDebit: { file: 'direct-debit', keys: 3, library: true },
  ocsRefundableDebit: { file: 'refundable-debit', keys: 4, library: true },
  ocsTopup: { file: 'topup', keys: 3, library: true },
  ocsRefund: { file: 'refund', keys: 3, library: true },
  ocsRefundCharge: { file: 'refund-charge', keys: 4, library: true },
  ocsSetBucket: { file: 'set-bucket', keys: 3, library: true },
  ocsResetFreeCredits: { file: 'reset-free-credits', keys: 2, library: true },
  ocsExpireReservations: { file: 'expire-reservations', keys: 3, library: true },
  ocsUpsertAccount: { file: 'upsert-account', keys: 2, library: true },
  ocsIndexCleanup: { file: 'index-cleanup', keys: 1, library: true },
  ocsAddBundle: { file: 'add-bundle', keys: 4, library: true },
  ocsExpireBundles: { file: 'expire-bundles', keys: 3, library: true },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    ocsAuthenticate(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsApply(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsDeduct(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsRelease(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsSettle(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsDirectDebit(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsRefundableDebit(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsTopup(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsRefund(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsRefundCharge(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsSetBucket(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsResetFreeCredits(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsExpireReservations(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsUpsertAccount(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsIndexCleanup(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsAddBundle(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
    ocsExpireBundles(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
  }
}

export const {
  register: registerScripts,
  library,
  sources: scriptSources,
  mode: scriptMode,
} = defineScripts({
  dir: new URL('./lua/', import.meta.url),
  scripts: SCRIPTS,
  library: 'ocs_balance',
  guardFailedCode: BalanceCode.GUARD_FAILED,
});
