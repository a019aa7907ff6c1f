/**
 * The balance store: accounts, buckets, reservations and ledger in Redis, every change one
 * atomic Lua script (lua/*.lua), so that concurrent sessions of one account, on any number of
 * server instances, can never spend the same money twice. The patent's four prepaid interfaces
 * (WO2005041476: authenticate, apply, deduct, return) map onto authenticate, apply, deduct and
 * release; settle does deduct + return + apply in one call for CCR-U/T.
 */
import type { Cluster, Redis } from 'ioredis';
import { BalanceCode, BalanceError, InvalidArgumentError } from './errors.js';
import {
  applyResult,
  authResult,
  decodeLedgerEntry,
  decodeReservation,
  deductResult,
  directDebitResult,
  expiredList,
  settleResult,
  unwrap,
} from './decode.js';
import { indexMember, Keys, parseReservationId } from './keys.js';
import { ReservationIndex } from './reservation-index.js';
import { instrumentScripts, type StoreMetrics } from './metrics.js';
import { registerScripts, type ScriptArg } from './scripts.js';
import {
  MONEY,
  type AccountInput,
  type AccountStatus,
  type AccountView,
  type ApplyRequest,
  type ApplyResult,
  type AuthResult,
  type BucketView,
  type CreditRequest,
  type CreditResult,
  type DeductRequest,
  type DeductResult,
  type DirectDebitRequest,
  type DirectDebitResult,
  type ExpireResult,
  type LedgerEntry,
  type ReleaseRequest,
  type ReleaseResult,
  type ReservationRef,
  type ReservationView,
  type ResetFreeCreditsRequest,
  type ResetFreeCreditsResult,
  type SetBucketRequest,
  type SetBucketResult,
  type SettleRequest,
  type SettleResult,
  type SweepResult,
} from './types.js';
import { checkBucket, checkInt, checkRatingGroup, checkText, checkTiers, tierArgs } from './validate.js';

export interface BalanceStoreOptions {
  redis: Redis | Cluster;
  /** Prepended to every key (tests isolate themselves with it). */
  keyPrefix?: string;
  /** Approximate cap of each account's ledger stream (XADD MAXLEN ~). Default 10000. */
  ledgerMaxLen?: number;
  /** How long a replayed operation id returns its first result. Default 24 h. */
  opTtlSeconds?: number;
  /** Counts and times every script call. */
  metrics?: StoreMetrics;
}

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

export class BalanceStore {
  readonly keys: Keys;
  private readonly redis: Redis | Cluster;
  private readonly ledgerMaxLen: number;
  private readonly opTtlSeconds: number;
  private readonly index: ReservationIndex;
  /**
   * On one Redis (not a cluster) apply, settle and release keep the reservation's index entry
   * themselves, in the same script as the reservation, and this is the index key they get (an
   * argument, so with the client's own keyPrefix, which ioredis applies to KEYS only); in a
   * cluster the index lives in another slot, so it is written before the script and dropped
   * after it (reservation-index.ts), and this is undefined.
   */
  private readonly inlineIndex: string | undefined;

  constructor(options: BalanceStoreOptions) {
    this.redis = options.redis;
    this.keys = new Keys(options.keyPrefix ?? '');
    this.ledgerMaxLen = options.ledgerMaxLen ?? 10_000;
    this.opTtlSeconds = options.opTtlSeconds ?? 24 * 3600;
    checkInt('ledgerMaxLen', this.ledgerMaxLen, 1);
    checkInt('opTtlSeconds', this.opTtlSeconds, 1);
    registerScripts(this.redis);
    if (options.metrics) instrumentScripts(this.redis, options.metrics);
    this.index = new ReservationIndex(this.redis, this.keys.reservationIndex());
    this.inlineIndex = this.redis.isCluster
      ? undefined
      : `${(this.redis as Redis).options.keyPrefix ?? ''}${this.index.key}`;
  }

  /**
   * Creates the account, or updates the attributes of an existing one. Opening balances
   * (`buckets`) apply only on creation: reserved and spent amounts are never touched.
   */
  async upsertAccount(input: AccountInput, nowMs = Date.now()): Promise<{ created: boolean }> {
    const k = this.keys.account(input.msisdn);
    const buckets = Object.entries(input.buckets ?? {});
    const status: AccountStatus = input.status ?? 'active';
    const validUntil = input.validUntil ?? 0;
    const minThreshold = input.minThreshold ?? 0;
    checkInt('nowMs', nowMs);
    checkInt('validUntil', validUntil);
    checkInt('minThreshold', minThreshold);
    buckets.forEach(([name, amount], i) => {
      checkBucket(`buckets[${i}]`, name);
      checkInt(`buckets.${name}`, amount);
    });
    const args: ScriptArg[] = [
      k.account,
      k.ledger,
      nowMs,
      this.ledgerMaxLen,
      status,
      validUntil,
      minThreshold,
      input.prepaid === false ? '0' : '1',
      input.tariff ?? '',
      input.currency ?? '',
      buckets.length,
      ...buckets.flat(),
    ];
    const f = unwrap(await this.redis.ocsUpsertAccount(...args));
    return { created: f.bool('created') };
  }

  /** The account with every bucket, or null when there is none. */
  async getAccount(msisdn: string): Promise<AccountView | null> {
    const raw = await this.redis.hgetall(this.keys.account(msisdn).account);
    if (raw.status === undefined) return null;
    const buckets: Record<string, BucketView> = { [MONEY]: { available: 0, reserved: 0, spent: 0 } };
    const resetPeriods: Record<string, string> = {};
    const part = { avail: 'available', resv: 'reserved', spent: 'spent' } as const;
    for (const [field, value] of Object.entries(raw)) {
      const colon = field.indexOf(':');
      const kind = field.slice(0, colon);
      const name = field.slice(colon + 1);
      if (kind === 'period') {
        resetPeriods[name] = value;
      } else if (kind === 'avail' || kind === 'resv' || kind === 'spent') {
        const b = (buckets[name] ??= { available: 0, reserved: 0, spent: 0 });
        b[part[kind]] = Number(value);
      }
    }
    return {
      msisdn,
      status: raw.status as AccountStatus,
      prepaid: raw.prepaid === '1',
      validUntil: Number(raw.validUntil ?? 0),
      minThreshold: Number(raw.minThreshold ?? 0),
      tariff: raw.tariff ?? '',
      currency: raw.currency ?? '',
      buckets,
      resetPeriods,
    };
  }

  /**
   * The patent's authenticate interface. Throws AccountNotFoundError, AccountBlockedError,
   * AccountLostError, AccountExpiredError or BelowMinimumThresholdError. A postpaid account
   * passes with `prepaid: false`.
   */
  async authenticate(msisdn: string, nowMs: number): Promise<AuthResult> {
    checkInt('nowMs', nowMs);
    const f = unwrap(await this.redis.ocsAuthenticate(this.keys.account(msisdn).account, nowMs));
    return authResult(f);
  }

  /**
   * Freezes whole units for (session, rating group). Throws CreditLimitReachedError when not
   * one unit is affordable, ReservationExistsError when the pair already holds one (settle it),
   * AccountNotFoundError, and with `authenticate` the authenticate errors and AccountPostpaidError.
   */
  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const base = this.reservationArgs(req);
    checkInt('units', req.units, 1);
    checkInt('expiresAtMs', req.expiresAtMs);
    checkTiers(req.tiers);
    const args = [...base, req.units, req.expiresAtMs, req.authenticate ? '1' : '0', ...tierArgs(req.tiers)];
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const guard = req.guard ? [req.guard] : [];
    if (this.inlineIndex) {
      return applyResult(unwrap(await this.redis.ocsApply(...args, this.inlineIndex, member, ...guard)));
    }
    const reply = await this.index.writeThen(member, req.expiresAtMs, () =>
      this.redis.ocsApply(...args, ...guard),
    );
    try {
      const f = unwrap(reply);
      return applyResult(f);
    } catch (err) {
      if (err instanceof BalanceError && NO_RESERVATION_AFTER.has(err.code)) {
        await this.index.drop(member, req.expiresAtMs);
      }
      throw err;
    }
  }

  /**
   * Charges used service units out of the reservation (started units in full); the rest stays
   * reserved until release or expiry. Throws ReservationNotFoundError, AccountNotFoundError.
   */
  async deduct(req: DeductRequest): Promise<DeductResult> {
    const args = [...this.reservationArgs(req), this.checkUsed(req.used), req.overuse ?? 'charge-available'];
    const f = unwrap(await this.redis.ocsDeduct(...args));
    return deductResult(f);
  }

  /** Unfreezes what is left of the reservation. Throws ReservationNotFoundError, AccountNotFoundError. */
  async release(req: ReleaseRequest): Promise<ReleaseResult> {
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const args = this.reservationArgs(req);
    const f = unwrap(
      await (this.inlineIndex
        ? this.redis.ocsRelease(...args, this.inlineIndex, member)
        : this.redis.ocsRelease(...args)),
    );
    const expiresAtMs = f.int('expiresAtMs');
    if (!this.inlineIndex) await this.index.drop(member, expiresAtMs);
    return { returned: f.amounts('returned'), expiresAtMs, moneyAvailable: f.int('moneyAvailable') };
  }

  /**
   * Deduct the used units, return the rest and, when `units` > 0, apply a new grant: one call
   * per CCR-U (with units) or CCR-T (without). A new grant that finds nothing affordable does
   * not throw (the usage was charged): it reports `creditLimitReached`. Throws
   * ReservationNotFoundError when `used` > 0 and there is no reservation, AccountNotFoundError.
   */
  async settle(req: SettleRequest): Promise<SettleResult> {
    const units = req.units ?? 0;
    checkInt('units', units);
    const grant: ScriptArg[] = [units, 0];
    if (units > 0) {
      checkInt('expiresAtMs', req.expiresAtMs);
      checkTiers(req.tiers);
      grant.splice(1, 1, req.expiresAtMs, ...tierArgs(req.tiers));
    }
    const args = [
      ...this.reservationArgs(req),
      this.checkUsed(req.used),
      req.overuse ?? 'charge-available',
      ...grant,
    ];
    const member = indexMember(req.msisdn, req.sessionId, req.ratingGroup);
    const guard = req.guard ? [req.guard] : [];
    if (this.inlineIndex) {
      return settleResult(unwrap(await this.redis.ocsSettle(...args, this.inlineIndex, member, ...guard)));
    }
    const call = () => this.redis.ocsSettle(...args, ...guard);
    const reply =
      units > 0 ? await this.index.writeThen(member, req.expiresAtMs as number, call) : await call();
    let f;
    try {
      f = unwrap(reply);
    } catch (err) {
      if (units > 0 && err instanceof BalanceError && NO_RESERVATION_AFTER.has(err.code)) {
        await this.index.drop(member, req.expiresAtMs as number);
      }
      throw err;
    }
    const result = settleResult(f);
    if (result.granted === 0) {
      // No reservation is left: the index entry is the one written for this call, or, without
      // a new request, the one written for the reservation just settled.
      if (units > 0) await this.index.drop(member, req.expiresAtMs as number);
      else if (result.settled) await this.index.drop(member, result.releasedExpiresAtMs);
    }
    return result;
  }

  /** Adds to the available part of a bucket (money by default). Throws AccountNotFoundError. */
  topup(req: CreditRequest): Promise<CreditResult> {
    return this.credit('topup', req);
  }

  /** Gives an amount back (RFC 4006 REFUND_ACCOUNT); spent is kept. Throws AccountNotFoundError. */
  refund(req: CreditRequest): Promise<CreditResult> {
    return this.credit('refund', req);
  }

  /**
   * Charges now without a reservation (RFC 4006 DIRECT_DEBITING). All or nothing by default:
   * throws InsufficientFundsError when not all is affordable (nothing charged); with `partial`,
   * charges what can be paid and throws CreditLimitReachedError only when that is nothing.
   */
  async directDebit(req: DirectDebitRequest): Promise<DirectDebitResult> {
    const k = this.keys.account(req.msisdn);
    checkText('sessionId', req.sessionId ?? '', 512, 0);
    if (req.ratingGroup !== undefined) checkRatingGroup(req.ratingGroup);
    checkInt('units', req.units, 1);
    checkTiers(req.tiers);
    const f = unwrap(
      await this.redis.ocsDirectDebit(
        k.account,
        k.ledger,
        this.keys.operation(req.msisdn, req.opId),
        ...this.opArgs(req.opId, req.nowMs),
        req.sessionId ?? '',
        req.ratingGroup ?? '',
        req.units,
        req.partial ? '1' : '0',
        req.authenticate ? '1' : '0',
        ...tierArgs(req.tiers),
      ),
    );
    return directDebitResult(f);
  }

  /** Sets the available part of a bucket; reserved and spent are kept. */
  async setBucket(req: SetBucketRequest): Promise<SetBucketResult> {
    const k = this.keys.account(req.msisdn);
    checkBucket('bucket', req.bucket);
    checkInt('available', req.available);
    const f = unwrap(
      await this.redis.ocsSetBucket(
        k.account,
        k.ledger,
        this.keys.operation(req.msisdn, req.opId),
        ...this.opArgs(req.opId, req.nowMs),
        req.bucket,
        req.available,
      ),
    );
    return { bucket: f.str('bucket'), before: f.int('before'), available: f.int('available') };
  }

  /**
   * The monthly reset of free credits: each bucket gets its allowance minus what is frozen at
   * the moment. A bucket already reset for this period (or a later one) is skipped, so running
   * it twice for one period changes nothing the second time.
   */
  async resetFreeCredits(req: ResetFreeCreditsRequest): Promise<ResetFreeCreditsResult> {
    const k = this.keys.account(req.msisdn);
    const nowMs = req.nowMs ?? Date.now();
    checkInt('nowMs', nowMs);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(req.period)) {
      throw new InvalidArgumentError(`period: 'YYYY-MM', got ${JSON.stringify(req.period)}`);
    }
    const buckets = Object.entries(req.buckets);
    buckets.forEach(([name, amount]) => {
      checkBucket('bucket', name);
      checkInt(`buckets.${name}`, amount);
    });
    const f = unwrap(
      await this.redis.ocsResetFreeCredits(
        k.account,
        k.ledger,
        nowMs,
        this.ledgerMaxLen,
        req.period,
        buckets.length,
        ...buckets.flat(),
      ),
    );
    return { reset: f.list('reset').map(String), skipped: f.list('skipped').map(String) };
  }

  /**
   * Gives back every reservation of the account whose expiry is at or before nowMs, earliest
   * first. Unlike the sweep it does not go through the index: it reads the account's
   * reservations, so it also finds one whose index entry is missing.
   */
  async expireReservations(req: { msisdn: string; nowMs: number }): Promise<ExpireResult> {
    checkInt('nowMs', req.nowMs);
    const raw = await this.redis.hgetall(this.keys.account(req.msisdn).reservations);
    const due = Object.entries(raw)
      .map(([id, value]) => ({ id, at: decodeReservation(id, value).expiresAtMs }))
      .filter((r) => r.at <= req.nowMs)
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => r.id);
    if (due.length === 0) return { expired: [] };
    const { expired } = await this.expire(req.msisdn, req.nowMs, due);
    return {
      expired: expired.map(({ id, returned }) => ({ ...parseReservationId(id), returned })),
    };
  }

  /**
   * One sweep: reads up to `limit` due entries of the reservation index, expires those of their
   * reservations that are due by their own stored expiry, and drops the index entries whose
   * reservation is gone (or moves them to the later expiry of a reservation that is still live).
   * Run it every few seconds on any number of instances: every step is safe to repeat or to run
   * concurrently.
   */
  async sweepExpired(nowMs: number, limit = 100): Promise<SweepResult> {
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

  /** The reservations the account holds now. */
  async listReservations(msisdn: string): Promise<ReservationView[]> {
    const raw = await this.redis.hgetall(this.keys.account(msisdn).reservations);
    return Object.entries(raw).map(([id, value]) => decodeReservation(id, value));
  }

  /** Ledger entries, oldest first, after `fromId` (exclusive) when given. */
  async readLedger(
    msisdn: string,
    options: { count?: number; fromId?: string } = {},
  ): Promise<LedgerEntry[]> {
    const count = options.count ?? 100;
    checkInt('count', count, 1);
    const start = options.fromId ? `(${options.fromId}` : '-';
    const raw = await this.redis.xrange(this.keys.account(msisdn).ledger, start, '+', 'COUNT', count);
    return raw.map(decodeLedgerEntry);
  }

  private opArgs(opId: string, nowMs: number): ScriptArg[] {
    checkText('opId', opId, 512);
    checkInt('nowMs', nowMs);
    return [opId, nowMs, this.opTtlSeconds, this.ledgerMaxLen];
  }

  /** KEYS and the common ARGV of apply, deduct, release and settle. */
  private reservationArgs(req: ReservationRef): ScriptArg[] {
    const k = this.keys.account(req.msisdn);
    checkText('sessionId', req.sessionId, 512);
    checkRatingGroup(req.ratingGroup);
    return [
      k.account,
      k.reservations,
      k.ledger,
      this.keys.operation(req.msisdn, req.opId),
      ...this.opArgs(req.opId, req.nowMs),
      req.sessionId,
      req.ratingGroup,
    ];
  }

  private checkUsed(used: number): number {
    checkInt('used', used);
    return used;
  }

  private async credit(kind: 'topup' | 'refund', req: CreditRequest): Promise<CreditResult> {
    const k = this.keys.account(req.msisdn);
    const bucket = req.bucket ?? MONEY;
    checkBucket('bucket', bucket);
    checkInt('amount', req.amount, 1);
    checkText('reference', req.reference ?? '', 256, 0);
    checkText('sessionId', req.sessionId ?? '', 512, 0);
    const args: ScriptArg[] = [
      k.account,
      k.ledger,
      this.keys.operation(req.msisdn, req.opId),
      ...this.opArgs(req.opId, req.nowMs),
      bucket,
      req.amount,
      req.reference ?? '',
      req.sessionId ?? '',
    ];
    const reply = kind === 'topup' ? this.redis.ocsTopup(...args) : this.redis.ocsRefund(...args);
    const f = unwrap(await reply);
    return { bucket: f.str('bucket'), available: f.int('available') };
  }

  /**
   * Expires those of the reservations `ids` of the account that are due at nowMs; `live` is the
   * stored expiry of each id that still exists afterwards, else 0, in the order of `ids`.
   */
  private async expire(
    msisdn: string,
    nowMs: number,
    ids: string[],
  ): Promise<{ expired: { id: string; returned: Record<string, number> }[]; live: number[] }> {
    const k = this.keys.account(msisdn);
    checkInt('nowMs', nowMs);
    const f = unwrap(
      await this.redis.ocsExpireReservations(
        k.account,
        k.reservations,
        k.ledger,
        nowMs,
        this.ledgerMaxLen,
        ...ids,
      ),
    );
    return { expired: expiredList(f.list('expired')), live: f.list('live').map(Number) };
  }
}
