import type { Cluster, Redis } from 'ioredis';
import type { SessionKeys } from './keys.js';
import type { ServiceKind } from './service-kind.js';
import type { CreditControlAnswer, CreditControlRequest, RequestType } from './types.js';

/**
 * A credit-control session as kept in Redis, so that any instance can serve its next request
 * (DESIGN §5). `lastNumber` and `lastAnswer` let a retransmission get the same answer again.
 */
export interface SessionRecord {
  sessionId: string;
  msisdn: string;
  kind: ServiceKind;
  tariff: string;
  currency: string;
  state: 'open' | 'closed';
  lastNumber: number;
  /** CC-Request-Type of the last request (absent in records written before it was kept). */
  lastType?: RequestType;
  lastAnswer: CreditControlAnswer;
  startedAt: number;
  updatedAt: number;
  /** Rating groups that hold a reservation now. */
  reserved: number[];
  /** Money frozen now per rating group (for the frozen-money metric). */
  held?: Record<string, number>;
  /** Service units charged per rating group over the session. */
  used: Record<string, number>;
  /** Amount charged per bucket over the session. */
  amounts: Record<string, number>;
  /** Rating levels applied (tariff or package level labels). */
  levels: string[];
  callingParty?: string;
  calledParty?: string;
  role?: string;
  closeReason?: string;
  /** Requested-Action of an event. */
  action?: string;
}

/**
 * The request is the session's last one again (a retransmission, RFC 4006 §5.1): same
 * CC-Request-Number and same CC-Request-Type. Another type under the same number is a new
 * request out of order, not a copy.
 */
export function isRepeat(record: SessionRecord, request: CreditControlRequest): boolean {
  return (
    request.requestNumber === record.lastNumber &&
    (record.lastType === undefined || record.lastType === request.requestType)
  );
}

/** Reads and writes session records; serialises the requests of one session in this process. */
export class SessionStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: SessionKeys,
  ) {}

  /**
   * Runs `work` after every earlier request of the same session handled by this instance, so
   * that a CCR-T racing its CCR-I waits for it rather than finding no session.
   */
  serialise<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(sessionId) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(sessionId, tail);
    void tail.then(() => {
      if (this.locks.get(sessionId) === tail) this.locks.delete(sessionId);
    });
    return run;
  }

  async ownerOf(sessionId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.sessionOwner(sessionId))) ?? undefined;
  }

  async load(msisdn: string, sessionId: string): Promise<SessionRecord | undefined> {
    const raw = await this.redis.get(this.keys.session(msisdn, sessionId));
    return raw ? (JSON.parse(raw) as SessionRecord) : undefined;
  }

  /**
   * Saves the record, kept for `ttlSeconds`; an open session is also put under Tcc
   * supervision until `superviseUntilMs`, a closed one taken off it.
   */
  async save(record: SessionRecord, ttlSeconds: number, superviseUntilMs?: number): Promise<void> {
    const member = `${record.msisdn}|${record.sessionId}`;
    // Three keys in three Redis Cluster slots, so three commands, not a pipeline (which a
    // cluster client refuses across slots); each is idempotent, and the connection sends the
    // commands of one tick in one write anyway.
    const session = this.keys.session(record.msisdn, record.sessionId);
    await Promise.all([
      this.redis.set(session, JSON.stringify(record), 'EX', ttlSeconds),
      this.redis.set(this.keys.sessionOwner(record.sessionId), record.msisdn, 'EX', ttlSeconds),
      record.state === 'open' && superviseUntilMs !== undefined
        ? this.redis.zadd(this.keys.supervision(), superviseUntilMs, member)
        : this.redis.zrem(this.keys.supervision(), member),
    ]);
  }

  /** Sessions whose supervision time has passed: `{msisdn, sessionId}`. */
  async due(nowMs: number, limit: number): Promise<{ msisdn: string; sessionId: string }[]> {
    const members = await this.redis.zrangebyscore(this.keys.supervision(), '-inf', nowMs, 'LIMIT', 0, limit);
    return members.map((m) => {
      const bar = m.indexOf('|');
      return { msisdn: m.slice(0, bar), sessionId: m.slice(bar + 1) };
    });
  }

  /** Open sessions of every instance: those under Tcc supervision. */
  async countOpen(): Promise<number> {
    return this.redis.zcard(this.keys.supervision());
  }

  async unsupervise(msisdn: string, sessionId: string): Promise<void> {
    await this.redis.zrem(this.keys.supervision(), `${msisdn}|${sessionId}`);
  }

  /** The account's open sessions (for the admin API). */
  async openSessionsOf(msisdn: string): Promise<SessionRecord[]> {
    // Matched inside Redis, a page at a time, rather than shipping every open session here.
    const mine: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(
        this.keys.supervision(),
        cursor,
        'MATCH',
        `${msisdn}|*`,
        'COUNT',
        1000,
      );
      for (let i = 0; i < flat.length; i += 2) mine.push(flat[i]!.slice(msisdn.length + 1));
      cursor = next;
    } while (cursor !== '0');
    const records = await Promise.all(mine.map((sid) => this.load(msisdn, sid)));
    return records.filter((r): r is SessionRecord => r !== undefined && r.state === 'open');
  }
}
