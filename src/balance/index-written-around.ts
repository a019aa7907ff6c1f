/**
 * The reservation index in a cluster (reservation-index.ts): its entry is written before the
 * script that may create the reservation and dropped after one that leaves none, so the index
 * stays a superset of the reservations.
 */
import type { Cluster, Redis } from 'ioredis';
import { applyResult, releaseResult, settleResult, unwrap, type Fields } from './decode.js';
import { BalanceCode, BalanceError } from './errors.js';
import { indexMember } from './keys.js';
import type { ReservationIndex } from './reservation-index.js';
import type { ScriptArg } from '../redis/script-call.js';
import type {
  ApplyRequest,
  ApplyResult,
  ReleaseRequest,
  ReleaseResult,
  SettleRequest,
  SettleResult,
} from './types.js';
import type { IndexUpkeep } from './index-upkeep.js';

/** Refusals of apply after which no reservation exists for the (session, rating group). */
const NO_RESERVATION_AFTER = new Set<BalanceCode>([
  BalanceCode.ACCOUNT_NOT_FOUND,
  BalanceCode.ACCOUNT_BLOCKED,
  BalanceCode.ACCOUNT_LOST,
  BalanceCode.ACCOUNT_EXPIRED,
  BalanceCode.BELOW_MIN_THRESHOLD,
  BalanceCode.ACCOUNT_POSTPAID,
  BalanceCode.CREDIT_LIMIT_REACHED,
  BalanceCode.RESERVATION_NOT_FOUND,
]);

export class IndexWrittenAround implements IndexUpkeep {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly index: ReservationIndex,
  ) {}

  async apply(req: ApplyRequest, args: ScriptArg[]): Promise<ApplyResult> {
    refuseCarry(req);
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const guard = req.guard ? [req.guard] : [];
    const reply = await this.index.writeThen(member, req.expiresAtMs, () =>
      this.redis.ocsApply(...args, ...guard),
    );
    return applyResult(await this.unwrapOrDrop(reply, member, req.expiresAtMs));
  }

  async settle(req: SettleRequest, args: ScriptArg[]): Promise<SettleResult> {
    refuseCarry(req);
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const guard = req.guard ? [req.guard] : [];
    const call = () => this.redis.ocsSettle(...args, ...guard);
    const grant = (req.units ?? 0) > 0;
    const expiresAtMs = req.expiresAtMs as number;
    const reply = grant ? await this.index.writeThen(member, expiresAtMs, call) : await call();
    const result = settleResult(grant ? await this.unwrapOrDrop(reply, member, expiresAtMs) : unwrap(reply));
    if (result.granted === 0) {
      // No reservation is left: the index entry is the one written for this call, or, without
      // a new request, the one written for the reservation just settled.
      if (grant) await this.index.drop(member, expiresAtMs);
      else if (result.settled) await this.index.drop(member, result.releasedExpiresAtMs);
    }
    return result;
  }

  async release(req: ReleaseRequest, args: ScriptArg[]): Promise<ReleaseResult> {
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const result = releaseResult(unwrap(await this.redis.ocsRelease(...args)));
    await this.index.drop(member, result.expiresAtMs);
    return result;
  }

  /** The reply's fields; on a refusal that leaves no reservation, the entry written is dropped first. */
  private async unwrapOrDrop(reply: unknown, member: string, expiresAtMs: number): Promise<Fields> {
    try {
      return unwrap(reply);
    } catch (err) {
      if (err instanceof BalanceError && NO_RESERVATION_AFTER.has(err.code)) {
        await this.index.drop(member, expiresAtMs);
      }
      throw err;
    }
  }
}

/** The owner record and the supervision set lie in other slots of a cluster: no carried write. */
function refuseCarry(req: { carry?: ScriptArg[] }): void {
  if (req.carry) throw new Error('a write carried by a balance call needs one Redis, not a cluster');
}
