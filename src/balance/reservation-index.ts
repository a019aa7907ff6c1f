/**
 * The sweeper's global index of reservations: a sorted set, member
 * `<msisdn>|<ratingGroup>|<sessionId>`, score = expiry (ms).
 *
 * On one Redis, apply, settle and release keep the entry themselves, in the same script as the
 * reservation (BalanceStore passes them the index key), at no extra round trip; a call that
 * writes the record of a session under Tcc supervision with its reservation writes no entry, as
 * supervision returns that reservation (lua/includes/session-write.lua, DESIGN §5), and hands it
 * to the index (`add`) when it lets go of the session. In a cluster the index lives in its own
 * slot, so no account script can write it; instead:
 *
 * - the entry is written BEFORE the script that may create the reservation, so the index is
 *   always a superset of the reservations, and a crash in between leaves at worst a stale entry;
 * - an entry is dropped (or moved to a later expiry) only if its score is still the one seen,
 *   so an entry rewritten by a newer reservation of the same (session, rating group) survives
 *   a sweeper or a late retransmission working from an older view.
 *
 * The sweeper works the same way in both: it finds due reservations only through this index (an
 * account keeps no expiry set of its own; each reservation stores its expiry, which decides
 * whether it is due), and it drops or moves entries through the index cleanup.
 */
import type { Cluster, Redis } from 'ioredis';
import { parseIndexMember } from './keys.js';

export interface DueEntry {
  member: string;
  /** `<ratingGroup>|<sessionId>` */
  reservationId: string;
  /** The score as Redis printed it. */
  score: string;
}

export class ReservationIndex {
  constructor(
    private readonly redis: Redis | Cluster,
    readonly key: string,
  ) {}

  /**
   * Writes the entry, then runs the script. On one connection the two commands go out back to
   * back and Redis runs them in order; in a cluster they live on different nodes, so the entry
   * is awaited first. A retry with the same opId writes the entry again.
   */
  async writeThen<T>(member: string, expiresAtMs: number, run: () => Promise<T>): Promise<T> {
    if (this.redis.isCluster) {
      await this.redis.zadd(this.key, expiresAtMs, member);
      return run();
    }
    const [, reply] = await Promise.all([this.redis.zadd(this.key, expiresAtMs, member), run()]);
    return reply;
  }

  /** Writes the entry of a reservation that exists already (one that had none). */
  async add(member: string, expiresAtMs: number): Promise<void> {
    await this.redis.zadd(this.key, expiresAtMs, member);
  }

  /** Drops the entry if it still carries `score`. */
  async drop(member: string, score: number): Promise<void> {
    await this.redis.ocsIndexCleanup(this.key, member, score, '');
  }

  /** Up to `limit` entries due at nowMs, by account. */
  async due(nowMs: number, limit: number): Promise<Map<string, DueEntry[]>> {
    const flat = await this.redis.zrangebyscore(this.key, '-inf', nowMs, 'WITHSCORES', 'LIMIT', 0, limit);
    const byAccount = new Map<string, DueEntry[]>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i] as string;
      const { msisdn, reservationId } = parseIndexMember(member);
      const list = byAccount.get(msisdn) ?? [];
      list.push({ member, reservationId, score: flat[i + 1] as string });
      byAccount.set(msisdn, list);
    }
    return byAccount;
  }

  /**
   * After the account's due reservations were expired: drops each entry whose reservation is
   * gone (live 0) and moves the others to their reservation's real expiry, each only if
   * unchanged since `due` read it.
   */
  async settleEntries(entries: DueEntry[], live: number[]): Promise<{ removed: number; rescored: number }> {
    const triples = entries.flatMap((e, i) => {
      const until = live[i] ?? 0;
      return [e.member, e.score, until > 0 ? String(until) : ''];
    });
    const [removed, rescored] = (await this.redis.ocsIndexCleanup(this.key, ...triples)) as [number, number];
    return { removed, rescored };
  }
}
