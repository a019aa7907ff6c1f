/**
 * Giving back what reservations nobody settled still hold, once their own stored expiry has
 * passed (DESIGN §2, Tcc supervision): of one account on request, or of any account through the
 * sweeper's reservation index.
 */
import type { Cluster, Redis } from 'ioredis';
import type { ScriptArgs } from './args.js';
import { expireResult, unwrap } from './decode.js';
import { indexMember, parseReservationId, type Keys } from './keys.js';
import type { ReservationIndex } from './reservation-index.js';
import { decodeReservation } from './stored-layout.js';
import type { ExpireResult, SweepResult } from './types.js';
import { checkInt } from './validate.js';

/** What became of a session's reservations when supervision let go of it. */
export interface SessionHandOver {
  /** Given back, being due. */
  expired: number;
  /** Not due yet: now in the reservation index. */
  indexed: number;
}

export class ReservationExpiry {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
    private readonly args: ScriptArgs,
    private readonly index: ReservationIndex,
  ) {}

  /** The account's reservations due at nowMs, read from the account itself, earliest first. */
  async expireDue(msisdn: string, nowMs: number): Promise<ExpireResult> {
    checkInt('nowMs', nowMs);
    const raw = await this.redis.hgetall(this.keys.account(msisdn).reservations);
    const due = Object.entries(raw)
      .map(([id, value]) => ({ id, at: decodeReservation(id, value).expiresAtMs }))
      .filter((r) => r.at <= nowMs)
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => r.id);
    if (due.length === 0) return { expired: [] };
    const { expired } = await this.expire(msisdn, nowMs, due);
    return {
      expired: expired.map(({ id, returned }) => ({ ...parseReservationId(id), returned })),
    };
  }

  /**
   * The reservations of one session that Tcc supervision lets go of (its record closed or
   * gone): on one Redis such a session's reservations may have no index entry (DESIGN §5).
   * Those due at nowMs are given back; the others get an index entry, so that the sweep gives
   * them back at their own expiry.
   */
  async handOver(msisdn: string, sessionId: string, nowMs: number): Promise<SessionHandOver> {
    checkInt('nowMs', nowMs);
    const raw = await this.redis.hgetall(this.keys.account(msisdn).reservations);
    const ids = Object.keys(raw).filter((id) => parseReservationId(id).sessionId === sessionId);
    if (ids.length === 0) return { expired: 0, indexed: 0 };
    const { expired, live } = await this.expire(msisdn, nowMs, ids);
    const left = ids.flatMap((id, i) => ((live[i] ?? 0) > 0 ? [{ id, until: live[i]! }] : []));
    await Promise.all(
      left.map(({ id, until }) =>
        this.index.add(indexMember(msisdn, sessionId, parseReservationId(id).ratingGroup), until),
      ),
    );
    return { expired: expired.length, indexed: left.length };
  }

  /** One sweep over up to `limit` due entries of the index, account by account. */
  async sweep(nowMs: number, limit: number): Promise<SweepResult> {
    checkInt('nowMs', nowMs);
    checkInt('limit', limit, 1);
    const byAccount = await this.index.due(nowMs, limit);
    const result: SweepResult = { accounts: byAccount.size, expired: 0, removed: 0, rescored: 0 };
    await Promise.all(
      [...byAccount].map(async ([msisdn, entries]) => {
        const { expired, live } = await this.expire(
          msisdn,
          nowMs,
          entries.map((e) => e.reservationId),
        );
        result.expired += expired.length;
        const { removed, rescored } = await this.index.settleEntries(entries, live);
        result.removed += removed;
        result.rescored += rescored;
      }),
    );
    return result;
  }

  /**
   * Expires those of the reservations `ids` of the account that are due at nowMs; `live` is the
   * stored expiry of each id that still exists afterwards, else 0, in the order of `ids`.
   */
  private async expire(msisdn: string, nowMs: number, ids: string[]) {
    return expireResult(
      unwrap(await this.redis.ocsExpireReservations(...this.args.expire(msisdn, nowMs, ids))),
    );
  }
}
