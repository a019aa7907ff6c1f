import type { Cluster, Redis } from 'ioredis';
import { GuardFailedError, Keys, type Guard } from '../balance/index.js';
import type { ScriptArg } from '../redis/script-call.js';
import type { CdrEntry } from './cdr.js';
import type { SessionKeys } from './keys.js';
import { registerSessionScripts } from './scripts.js';
import { decodeSessionRecord, encodeSessionRecord } from './session-codec.js';
import { addPendingResult, noteCarriedOp } from './session-pending.js';
import { copyRecord, type SessionRecord } from './session-record.js';

/** What a request writes besides its session record (SessionStore.save). */
export interface SaveOptions {
  /** Seconds the record is kept. */
  ttlSeconds: number;
  /** The session (opened now) goes under Tcc supervision until this time (ms). */
  superviseUntilMs?: number;
  /** The session was under supervision and is closed now. */
  unsupervise?: boolean;
  /** (Re)write the Session-Id -> MSISDN record, kept this many seconds. */
  ownerTtlSeconds?: number;
  /** The CDR of a session or event that closed, written with the record. */
  cdr?: CdrEntry;
  /** Write only if the stored record is still this (as read): else GuardFailedError. */
  expect?: string;
}

/** A session record recalled from this instance's memory, and the guard that proves it current. */
export interface Recalled {
  record: SessionRecord;
  guard: Guard;
}

/** A CDR whose amounts the charging call that writes it completes (session-carry.ts). */
export interface CdrTemplate {
  maxLen: number;
  /** The entry before and after its amounts. */
  head: string;
  tail: string;
  /** Amounts charged before the call. */
  base: Record<string, number>;
}

/**
 * What this instance last stored for a session: `raw`, as stored; `record`, the session after
 * the request that stored it (with the result of a charging call that stored it, `op`), a copy
 * of its own that is handed out only as copies, so that no request changes it.
 */
interface Written {
  msisdn: string;
  raw: string;
  record: SessionRecord;
  op?: string;
}

/**
 * How long the kept result of a charging call that wrote a session record stays once a later
 * write has replaced that record: a reader that read the record just before (another instance)
 * still completes it from there; a retransmission of its request is answered from the new one.
 */
export const RELEASED_OPERATION_SECONDS = 60;

/** Open sessions whose last record this instance keeps (about a kilobyte of heap each). */
const RECALL_LIMIT = 100_000;

/** Reads and writes session records; serialises the requests of one session in this process. */
export class SessionStore {
  private readonly locks = new Map<string, Promise<unknown>>();
  /**
   * Session-Id -> the record this instance last stored (`raw`, the guard) and the session as it
   * is after the request, kept decoded: its next request starts from a copy, not from decoding.
   */
  private readonly written = new Map<string, Written>();
  private readonly operations: Keys;
  /** Charging calls may carry the session write: on one Redis, not in a cluster (session-carry.ts). */
  readonly carries: boolean;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: SessionKeys,
  ) {
    registerSessionScripts(redis);
    this.operations = new Keys(keys.prefix);
    this.carries = !redis.isCluster;
  }

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

  /**
   * The record this instance last wrote for an open session, without reading Redis: usually
   * the current one, as a session's requests come through one peer. Another instance may have
   * served it since, so whoever acts on it must pass the guard with its first write, which
   * then fails (GuardFailedError) unless the stored record is still this one.
   */
  recall(sessionId: string, msisdn?: string): Recalled | undefined {
    const written = this.written.get(sessionId);
    if (!written || (msisdn !== undefined && msisdn !== written.msisdn)) return undefined;
    const record = copyRecord(written.record);
    if (written.op !== undefined) noteCarriedOp(record, written.op);
    return {
      record,
      guard: { key: this.keys.session(written.msisdn, sessionId), value: written.raw },
    };
  }

  /** Drops what this instance remembers of the session (it turned out stale). */
  forget(sessionId: string): void {
    this.written.delete(sessionId);
  }

  /**
   * The stored record and the guard that a write acting on it must carry. A record written by
   * its request's charging call gets that call's result added, unless `asStored` (a
   * retransmission of that request runs it again instead: session-lookup.ts).
   */
  async read(msisdn: string, sessionId: string, asStored = false): Promise<Recalled | undefined> {
    const key = this.keys.session(msisdn, sessionId);
    const raw = await this.redis.get(key);
    if (!raw) return undefined;
    const record = decodeSessionRecord(msisdn, sessionId, raw);
    if (!asStored) await this.addPendingResult(record);
    return { record, guard: { key, value: raw } };
  }

  /** Adds to a record written by its request's charging call that call's result (session-pending.ts). */
  async addPendingResult(record: SessionRecord): Promise<void> {
    await addPendingResult(this.redis, record, (opId) => this.operations.operation(record.msisdn, opId));
  }

  async load(msisdn: string, sessionId: string): Promise<SessionRecord | undefined> {
    return (await this.read(msisdn, sessionId))?.record;
  }

  /**
   * Saves the record with what else the request changed, in one script call: on one Redis
   * everything, in a cluster the record and CDR (the account's slot) while the owner record and
   * the supervision set, each in a slot of its own, get a command each. Returns the CDR's id.
   */
  async save(record: SessionRecord, options: SaveOptions): Promise<string | undefined> {
    const member = supervisionMember(record.msisdn, record.sessionId);
    const keys = [this.keys.session(record.msisdn, record.sessionId)];
    const raw = encodeSessionRecord(record);
    const args: (string | number)[] = [raw, options.ttlSeconds, options.expect ?? ''];
    const elsewhere: Promise<unknown>[] = [];
    /** In the script on one Redis; a command of its own in a cluster. */
    const add = (key: string, inScript: (string | number)[], alone: () => Promise<unknown>) => {
      if (this.redis.isCluster) {
        elsewhere.push(alone());
      } else {
        keys.push(key);
        args.push(...inScript);
      }
    };
    if (options.cdr) {
      keys.push(this.keys.cdrs(record.msisdn));
      args.push('cdr', options.cdr.maxLen, options.cdr.entry);
    }
    const owner = this.keys.sessionOwner(record.sessionId);
    const ownerTtl = options.ownerTtlSeconds;
    if (ownerTtl !== undefined)
      add(owner, ['owner', record.msisdn, ownerTtl], () =>
        this.redis.set(owner, record.msisdn, 'EX', ownerTtl),
      );
    const supervision = this.keys.supervision();
    const until = options.superviseUntilMs;
    if (until !== undefined)
      add(supervision, ['supervise', until, member], () => this.redis.zadd(supervision, until, member));
    else if (options.unsupervise)
      add(supervision, ['unsupervise', member], () => this.redis.zrem(supervision, member));
    this.written.delete(record.sessionId);
    let cdrId: string | null;
    try {
      [cdrId] = await Promise.all([this.redis.ocsSessionSave(keys.length, ...keys, ...args), ...elsewhere]);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('STALE')) throw new GuardFailedError(err.message);
      throw err;
    }
    if (record.state === 'open')
      this.keep(record.sessionId, { msisdn: record.msisdn, raw, record: copyRecord(record) });
    return cdrId ?? undefined;
  }

  /**
   * The session write a charging call carries (balance lua/includes/session-write.lua): the
   * record `raw` (as encoded from `record`), with the CDR, owner record and supervision entry
   * that `options` ask for. `condition` 'absent': the call is refused if a record exists.
   * `replacedOp`: the charging call that wrote the record replaced, whose kept result is then
   * released (RELEASED_OPERATION_SECONDS).
   */
  carriedWrite(
    record: SessionRecord,
    raw: string,
    options: SaveOptions,
    condition: '' | 'absent',
    cdr?: CdrTemplate,
    replacedOp?: string,
  ): ScriptArg[] {
    const args: ScriptArg[] = [
      'session',
      this.keys.session(record.msisdn, record.sessionId),
      condition,
      raw,
      options.ttlSeconds,
    ];
    if (cdr) {
      const base = Object.entries(cdr.base);
      args.push(
        'cdr',
        this.keys.cdrs(record.msisdn),
        cdr.maxLen,
        cdr.head,
        cdr.tail,
        base.length,
        ...base.flat(),
      );
    }
    if (options.ownerTtlSeconds !== undefined)
      args.push('owner', this.keys.sessionOwner(record.sessionId), record.msisdn, options.ownerTtlSeconds);
    const member = supervisionMember(record.msisdn, record.sessionId);
    if (options.superviseUntilMs !== undefined)
      args.push('supervise', this.keys.supervision(), options.superviseUntilMs, member);
    else if (options.unsupervise) args.push('unsupervise', this.keys.supervision(), member);
    // Its supervision returns what the call reserves, which then needs no index entry.
    else if (record.state === 'open') args.push('supervised', this.keys.supervision(), member);
    if (replacedOp !== undefined)
      args.push('release', this.operations.operation(record.msisdn, replacedOp), RELEASED_OPERATION_SECONDS);
    return args;
  }

  /**
   * On one Redis, the arguments by which a charging call that carries no write names the
   * session's record, where a run of it that wrote the record kept its result (balance
   * lua/includes/session-write.lua): a replay of the call returns that result.
   */
  keptIn(msisdn: string, sessionId: string): ScriptArg[] | undefined {
    return this.carries ? ['kept', this.keys.session(msisdn, sessionId)] : undefined;
  }

  /** Notes `record` as the session's current one, stored as `raw` by the charging call `op`. */
  remember(record: SessionRecord, raw: string, op: string): void {
    if (record.state !== 'open') {
      this.written.delete(record.sessionId);
      return;
    }
    this.keep(record.sessionId, { msisdn: record.msisdn, raw, record: copyRecord(record), op });
  }

  private keep(sessionId: string, written: Written): void {
    this.written.delete(sessionId);
    this.written.set(sessionId, written);
    if (this.written.size > RECALL_LIMIT) this.written.delete(this.written.keys().next().value!);
  }

  /**
   * Moves a session's supervision time to `untilMs`, if it is still supervised: requests do
   * not move it themselves (that would be a write per CCR), so supervision finds a session
   * that was active since and puts it back at its real time.
   */
  async resupervise(msisdn: string, sessionId: string, untilMs: number): Promise<void> {
    await this.redis.zadd(this.keys.supervision(), 'XX', untilMs, supervisionMember(msisdn, sessionId));
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

  /**
   * Takes the session off supervision; with `asRead`, only while its record is still that ('' :
   * none). On one Redis the reservations of a supervised session have no index entry (DESIGN
   * §5), so the entry must stay when a CCR-I has reopened the Session-Id meanwhile. A cluster
   * indexes every reservation, and its record lies in another slot: the entry goes.
   */
  async unsupervise(msisdn: string, sessionId: string, asRead?: string): Promise<void> {
    const member = supervisionMember(msisdn, sessionId);
    if (asRead === undefined || this.redis.isCluster) await this.redis.zrem(this.keys.supervision(), member);
    else
      await this.redis.ocsSessionUnsupervise(
        this.keys.session(msisdn, sessionId),
        this.keys.supervision(),
        asRead,
        member,
      );
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

function supervisionMember(msisdn: string, sessionId: string): string {
  return `${msisdn}|${sessionId}`;
}
