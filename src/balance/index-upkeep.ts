/**
 * How apply, settle and release keep the sweeper's reservation index (reservation-index.ts),
 * chosen once per store from the client: on one Redis the scripts keep it themselves (here); in
 * a cluster, where it lives in another slot than the account, it is written around them
 * (index-written-around.ts).
 */
import type { Redis } from 'ioredis';
import { applyResult, releaseResult, settleResult, unwrap } from './decode.js';
import { keptJson } from './kept-result.js';
import { indexMember } from './keys.js';
import type { ScriptArg } from '../redis/script-call.js';
import type {
  ApplyRequest,
  ApplyResult,
  ReleaseRequest,
  ReleaseResult,
  SettleRequest,
  SettleResult,
} from './types.js';

/** Runs the script of each call, given its checked arguments (args.ts), with the index kept. */
export interface IndexUpkeep {
  apply(req: ApplyRequest, args: ScriptArg[]): Promise<ApplyResult>;
  settle(req: SettleRequest, args: ScriptArg[]): Promise<SettleResult>;
  release(req: ReleaseRequest, args: ScriptArg[]): Promise<ReleaseResult>;
}

/**
 * The scripts add and remove the entry with the reservation, at no extra round trip; they get
 * the index key (`indexKey`, as a script argument) and the entry after their own arguments and
 * before a guard.
 */
export class IndexKeptByScripts implements IndexUpkeep {
  constructor(
    private readonly redis: Redis,
    private readonly indexKey: string,
  ) {}

  async apply(req: ApplyRequest, args: ScriptArg[]): Promise<ApplyResult> {
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const guard = req.guard ? [req.guard] : [];
    const carry = req.carry ?? [];
    const reply = await this.redis.ocsApply(...args, this.indexKey, member, ...carry, ...guard);
    return withKept(applyResult(unwrap(reply)), carry, reply);
  }

  async settle(req: SettleRequest, args: ScriptArg[]): Promise<SettleResult> {
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const guard = req.guard ? [req.guard] : [];
    const carry = req.carry ?? [];
    const reply = await this.redis.ocsSettle(...args, this.indexKey, member, ...carry, ...guard);
    return withKept(settleResult(unwrap(reply)), carry, reply);
  }

  async release(req: ReleaseRequest, args: ScriptArg[]): Promise<ReleaseResult> {
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    return releaseResult(unwrap(await this.redis.ocsRelease(...args, this.indexKey, member)));
  }
}

/**
 * A call that carried its session's write left its result in the record: the caller, which
 * keeps the record as the guard of its next write, needs it as stored (kept-result.ts).
 */
function withKept<T extends { kept?: string }>(result: T, carry: ScriptArg[], reply: unknown): T {
  if (carry[0] === 'session') {
    const kept = keptJson(reply);
    if (kept !== undefined) result.kept = kept;
  }
  return result;
}
