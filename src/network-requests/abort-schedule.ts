import type { Cluster, Redis } from 'ioredis';
import type { NetworkKeys } from './keys.js';

/** A session sent an ASR, to close here once `dueMs` has passed without its CCR-T. */
export interface DueAbort {
  msisdn: string;
  sessionId: string;
  member: string;
}

/**
 * The sessions sent an Abort-Session-Request and when each is to be closed here if no CCR-T
 * came (RFC 6733 §8.5: the client ends the session; a client that does not must not keep the
 * money frozen). Kept in Redis, so that any instance closes it, also when the one that sent the
 * ASR has gone.
 */
export class AbortSchedule {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: NetworkKeys,
  ) {}

  /** Closes the session at `dueMs` (wall clock) unless it is closed before; the earlier of two. */
  async schedule(msisdn: string, sessionId: string, dueMs: number): Promise<void> {
    await this.redis.zadd(this.keys.abortsDue(), 'LT', dueMs, member(msisdn, sessionId));
  }

  async due(nowMs: number, limit: number): Promise<DueAbort[]> {
    const members = await this.redis.zrangebyscore(this.keys.abortsDue(), '-inf', nowMs, 'LIMIT', 0, limit);
    return members.map((m) => {
      const bar = m.indexOf('|');
      return { msisdn: m.slice(0, bar), sessionId: m.slice(bar + 1), member: m };
    });
  }

  async done(due: DueAbort): Promise<void> {
    await this.redis.zrem(this.keys.abortsDue(), due.member);
  }
}

function member(msisdn: string, sessionId: string): string {
  return `${msisdn}|${sessionId}`;
}
