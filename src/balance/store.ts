/**
 * The balance store: accounts, buckets, reservations and ledger in Redis, every change one
 * atomic Lua script (lua/*.lua), so that concurrent sessions of one account, on any number of
 * server instances, can never spend the same money twice. The patent's four prepaid interfaces
 * (WO2005041476: authenticate, apply, deduct, return) map onto authenticate, apply, deduct and
 * release; settle does deduct + return + apply in one call for CCR-U/T.
 */
import type { Cluster, Redis } from 'ioredis';
import { ScriptArgs } from './args.js';
import {
  authResult,
  creditResult,
  deductResult,
  directDebitResult,
  refundChargeResult,
  resetFreeCreditsResult,
  setBucketResult,
  unwrap,
} from './decode.js';
import { newChargeReference } from './charge-reference.js';
import { ReservationExpiry, type SessionHandOver } from './expiry.js';
import { IndexKeptByScripts, type IndexUpkeep } from './index-upkeep.js';
import { IndexWrittenAround } from './index-written-around.js';
import { Keys } from './keys.js';
import { instrumentScripts, type StoreMetrics } from './metrics.js';
import { ReservationIndex } from './reservation-index.js';
import { registerScripts } from './scripts.js';
import { decodeAccount, decodeLedgerEntry, decodeReservation } from './stored-layout.js';
import type {
  AccountInput,
  AccountView,
  ApplyRequest,
  ApplyResult,
  AuthResult,
  CreditRequest,
  CreditResult,
  DeductRequest,
  DeductResult,
  DirectDebitRequest,
  DirectDebitResult,
  ExpireResult,
  LedgerEntry,
  RefundChargeRequest,
  RefundChargeResult,
  ReleaseRequest,
  ReleaseResult,
  ReservationView,
  ResetFreeCreditsRequest,
  ResetFreeCreditsResult,
  SetBucketRequest,
  SetBucketResult,
  SettleRequest,
  SettleResult,
  SweepResult,
} from './types.js';
import { checkInt } from './validate.js';

export interface BalanceStoreOptions {
  redis: Redis | Cluster;
  /** Prepended to every key (tests isolate themselves with it). */
  keyPrefix?: string;
  /**
   * Approximate cap of each account's ledger stream (XADD MAXLEN ~), a safety net only: the
   * exporter trims what it has written to files by age (docs/export.md); the cap bounds an
   * account's stream when no exporter runs, at the cost of its oldest entries. Default
   * DEFAULT_LEDGER_MAX_LEN.
   */
  ledgerMaxLen?: number;
  /** How long a replayed operation id returns its first result. Default 24 h. */
  opTtlSeconds?: number;
  /** Counts and times every script call. */
  metrics?: StoreMetrics;
}

/**
 * Far above what an exporter leaves in Redis (minutes of records), so that only a runaway account
 * with no exporter running ever loses entries to the cap.
 */
export const DEFAULT_LEDGER_MAX_LEN = 1_000_000;

export class BalanceStore {
  readonly keys: Keys;
  private readonly redis: Redis | Cluster;
  private readonly args: ScriptArgs;
  private readonly upkeep: IndexUpkeep;
  private readonly expiry: ReservationExpiry;

  constructor(options: BalanceStoreOptions) {
    const redis = (this.redis = options.redis);
    this.keys = new Keys(options.keyPrefix ?? '');
    const ledgerMaxLen = options.ledgerMaxLen ?? DEFAULT_LEDGER_MAX_LEN;
    const opTtlSeconds = options.opTtlSeconds ?? 24 * 3600;
    checkInt('ledgerMaxLen', ledgerMaxLen, 1);
    checkInt('opTtlSeconds', opTtlSeconds, 1);
    this.args = new ScriptArgs(this.keys, ledgerMaxLen, opTtlSeconds);
    registerScripts(redis);
    if (options.metrics) instrumentScripts(redis, options.metrics);
    const index = new ReservationIndex(redis, this.keys.reservationIndex());
    this.upkeep = redis.isCluster
      ? new IndexWrittenAround(redis, index)
      : new IndexKeptByScripts(
          redis as Redis,
          this.keys.reservationIndexArgument((redis as Redis).options.keyPrefix),
        );
    this.expiry = new ReservationExpiry(redis, this.keys, this.args, index);
  }

  /**
   * Creates the account, or updates the attributes of an existing one. Opening balances
   * (`buckets`) apply only on creation: reserved and spent amounts are never touched.
   */
  async upsertAccount(input: AccountInput, nowMs = Date.now()): Promise<{ created: boolean }> {
    const f = unwrap(await this.redis.ocsUpsertAccount(...this.args.upsertAccount(input, nowMs)));
    return { created: f.bool('created') };
  }

  /** The account with every bucket, or null when there is none. */
  async getAccount(msisdn: string): Promise<AccountView | null> {
    return decodeAccount(msisdn, await this.redis.hgetall(this.keys.account(msisdn).account));
  }

  /**
   * The patent's authenticate interface. Throws AccountNotFoundError, AccountBlockedError,
   * AccountLostError, AccountExpiredError or BelowMinimumThresholdError. A postpaid account
   * passes with `prepaid: false`.
   */
  async authenticate(msisdn: string, nowMs: number): Promise<AuthResult> {
    return authResult(unwrap(await this.redis.ocsAuthenticate(...this.args.authenticate(msisdn, nowMs))));
  }

  /**
   * Freezes whole units for (session, rating group). Throws CreditLimitReachedError when not
   * one unit is affordable, ReservationExistsError when the pair already holds one (settle it),
   * AccountNotFoundError, and with `authenticate` the authenticate errors and AccountPostpaidError.
   */
  async apply(req: ApplyRequest): Promise<ApplyResult> {
    return this.upkeep.apply(req, this.args.apply(req));
  }

  /**
   * Charges used service units out of the reservation (started units in full); the rest stays
   * reserved until release or expiry. Throws ReservationNotFoundError, AccountNotFoundError.
   */
  async deduct(req: DeductRequest): Promise<DeductResult> {
    return deductResult(unwrap(await this.redis.ocsDeduct(...this.args.deduct(req))));
  }

  /** Unfreezes what is left of the reservation. Throws ReservationNotFoundError, AccountNotFoundError. */
  async release(req: ReleaseRequest): Promise<ReleaseResult> {
    return this.upkeep.release(req, this.args.release(req));
  }

  /**
   * Deduct the used units, return the rest and, when `units` > 0, apply a new grant: one call
   * per CCR-U (with units) or CCR-T (without). A new grant that finds nothing affordable does
   * not throw (the usage was charged): it reports `creditLimitReached`. Throws
   * ReservationNotFoundError when `used` > 0 and there is no reservation, AccountNotFoundError.
   */
  async settle(req: SettleRequest): Promise<SettleResult> {
    return this.upkeep.settle(req, this.args.settle(req));
  }

  /** Adds to the available part of a bucket (money by default). Throws AccountNotFoundError. */
  async topup(req: CreditRequest): Promise<CreditResult> {
    return creditResult(unwrap(await this.redis.ocsTopup(...this.args.credit(req))));
  }

  /** Gives an amount back (RFC 4006 REFUND_ACCOUNT); spent is kept. Throws AccountNotFoundError. */
  async refund(req: CreditRequest): Promise<CreditResult> {
    return creditResult(unwrap(await this.redis.ocsRefund(...this.args.credit(req))));
  }

  /**
   * Charges now without a reservation (RFC 4006 DIRECT_DEBITING). All or nothing by default:
   * throws InsufficientFundsError when not all is affordable (nothing charged); with `partial`,
   * charges what can be paid and throws CreditLimitReachedError only when that is nothing.
   * With `keepChargeSeconds` the charge is kept, in the same step, under the reference the
   * result names (TS 32.299 Refund-Information), for refundCharge.
   */
  async directDebit(req: DirectDebitRequest): Promise<DirectDebitResult> {
    if (req.keepChargeSeconds === undefined)
      return directDebitResult(unwrap(await this.redis.ocsDirectDebit(...this.args.directDebit(req))));
    const args = this.args.refundableDebit(req, newChargeReference(), req.keepChargeSeconds);
    return directDebitResult(unwrap(await this.redis.ocsRefundableDebit(...args)));
  }

  /**
   * Gives money back against an earlier charge, named by its reference: no more than the charge
   * took less what was refunded against it, checked and credited in one step. Throws
   * ChargeUnknownError (no such charge of this account, or no longer kept),
   * RefundAboveChargeError, AccountNotFoundError.
   */
  async refundCharge(req: RefundChargeRequest): Promise<RefundChargeResult> {
    return refundChargeResult(unwrap(await this.redis.ocsRefundCharge(...this.args.refundCharge(req))));
  }

  /** Sets the available part of a bucket; reserved and spent are kept. */
  async setBucket(req: SetBucketRequest): Promise<SetBucketResult> {
    return setBucketResult(unwrap(await this.redis.ocsSetBucket(...this.args.setBucket(req))));
  }

  /**
   * The monthly reset of free credits: each bucket gets its allowance minus what is frozen at
   * the moment. A bucket already reset for this period (or a later one) is skipped, so running
   * it twice for one period changes nothing the second time.
   */
  async resetFreeCredits(req: ResetFreeCreditsRequest): Promise<ResetFreeCreditsResult> {
    const args = this.args.resetFreeCredits(req);
    return resetFreeCreditsResult(unwrap(await this.redis.ocsResetFreeCredits(...args)));
  }

  /**
   * Gives back every reservation of the account whose expiry is at or before nowMs, earliest
   * first. Unlike the sweep it does not go through the index: it reads the account's
   * reservations, so it also finds one whose index entry is missing.
   */
  async expireReservations(req: { msisdn: string; nowMs: number }): Promise<ExpireResult> {
    return this.expiry.expireDue(req.msisdn, req.nowMs);
  }

  /**
   * For Tcc supervision letting go of a session whose record is closed or gone: gives back its
   * reservations due at nowMs and puts the others in the reservation index (expiry.ts).
   */
  async handOverSessionReservations(req: {
    msisdn: string;
    sessionId: string;
    nowMs: number;
  }): Promise<SessionHandOver> {
    return this.expiry.handOver(req.msisdn, req.sessionId, req.nowMs);
  }

  /**
   * One sweep: reads up to `limit` due entries of the reservation index, expires those of their
   * reservations that are due by their own stored expiry, and drops the index entries whose
   * reservation is gone (or moves them to the later expiry of a reservation that is still live).
   * Run it every few seconds on any number of instances: every step is safe to repeat or to run
   * concurrently.
   */
  async sweepExpired(nowMs: number, limit = 100): Promise<SweepResult> {
    return this.expiry.sweep(nowMs, limit);
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
}
