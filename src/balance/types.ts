import type { Guard, ScriptArg } from '../redis/script-call.js';
/**
 * Shapes of the balance store's API. Amounts are integers: minor units of the account's currency
 * for money, seconds, octets or messages for unit buckets. Service units (asked, granted, used)
 * are seconds, octets or messages.
 */

export type AccountStatus = 'active' | 'blocked' | 'lost';

/** The money bucket; other buckets have free-form names such as `vpn:vpn-300:free-seconds`. */
export const MONEY = 'money';

/**
 * One step of a rating: `unitSize` service units make one charged unit, each started unit costs
 * `pricePerUnit` of `bucket` (0: free and unlimited), `maxUnits` caps one grant (0 disables the
 * tier). Tiers are used in the order given.
 */
export interface Tier {
  bucket: string;
  unitSize: number;
  pricePerUnit: number;
  maxUnits?: number;
  /**
   * The price of a unit used after a tariff change within the grant (RFC 4006 §8.20):
   * `pricePerUnit` is then the price before it. A grant freezes the dearer of the two.
   */
  priceAfterChange?: number;
}

export interface AccountInput {
  msisdn: string;
  /** Default `active`. */
  status?: AccountStatus;
  /** Default true; a postpaid account authenticates with `prepaid: false` (credit control 4011). */
  prepaid?: boolean;
  /** Epoch seconds after which the account is expired; 0 or absent: no limit. */
  validUntil?: number;
  /** Money that must stay available: authentication fails below it, grants never dig into it. */
  minThreshold?: number;
  tariff?: string;
  currency?: string;
  /** Opening available amounts per bucket, used only when the account is created. */
  buckets?: Record<string, number>;
}

export interface BucketView {
  available: number;
  reserved: number;
  spent: number;
}

export interface AccountView {
  msisdn: string;
  status: AccountStatus;
  prepaid: boolean;
  validUntil: number;
  minThreshold: number;
  tariff: string;
  currency: string;
  /** Every bucket the account has, and always `money`. */
  buckets: Record<string, BucketView>;
  /** Period ('YYYY-MM') of the last free-credit reset, per bucket that had one. */
  resetPeriods: Record<string, string>;
}

export interface AuthResult {
  status: 'active';
  prepaid: boolean;
  tariff: string;
  currency: string;
  /** Money available and reserved. */
  available: number;
  reserved: number;
  validUntil: number;
  minThreshold: number;
  /** The account's bundles hash (src/bundles/keys.ts), for rating; absent when it holds none. */
  bundles?: Record<string, string>;
}

/** What one tier of a grant holds: whole units, and the amount of its bucket they froze. */
export interface TierHold {
  bucket: string;
  units: number;
  amount: number;
}

/** Amount per bucket. */
export type Amounts = Record<string, number>;

/** Fields common to the operations on a reservation. */
export interface ReservationRef {
  /** Unique per step of a request: see `makeOpId`. A replay returns the first result. */
  opId: string;
  msisdn: string;
  sessionId: string;
  ratingGroup: number;
  /** The caller's clock; scripts read Redis's clock only to compare it with a deadline. */
  nowMs: number;
}

/**
 * A freezing call's deadline: wall-clock ms since the epoch (Date.now(), not a test's clock)
 * after which, by Redis's clock, the call is refused with DeadlinePassedError and changes
 * nothing: the request it serves has been answered already. Absent: none (admin calls).
 */
export interface Deadline {
  deadlineMs?: number;
}

export interface ApplyRequest extends ReservationRef, Deadline {
  tiers: Tier[];
  /** Service units asked for, > 0. */
  units: number;
  /** When the sweeper gives the reservation back if it was not settled (validity time + Tcc). */
  expiresAtMs: number;
  /** Run the authenticate checks in the same call (CCR-I). */
  authenticate?: boolean;
  /** Only if this key (in the account's slot) still holds this value: else GuardFailedError. */
  guard?: Guard;
  /**
   * A write of the caller's, made in the same call when it succeeds (lua/includes/session-write.lua):
   * one Redis only, where the scripts keep the reservation index themselves.
   */
  carry?: ScriptArg[];
}

export interface ApplyResult {
  /** Service units granted: whole units, so it may exceed the units asked by less than one unit. */
  granted: number;
  /** No tier can pay for one more unit after this grant (Final-Unit-Indication). */
  final: boolean;
  expiresAtMs: number;
  tiers: TierHold[];
  moneyAvailable: number;
  /** The call wrote its session's record: the result as that record keeps it (kept-result.ts). */
  kept?: string;
}

export type OverusePolicy = 'charge-available' | 'refuse';

export interface DeductRequest extends ReservationRef {
  /** Service units used. */
  used: number;
  /** Usage above the reservation; default `charge-available`. */
  overuse?: OverusePolicy;
}

export interface DeductResult {
  /** Service units of `used` that were paid for. */
  charged: number;
  /** Service units of `used` that were not paid for (above the reservation). */
  uncharged: number;
  /** Amount moved to spent, per bucket. */
  amounts: Amounts;
  /** Service units the reservation still holds. */
  remaining: number;
  moneyAvailable: number;
}

export type ReleaseRequest = ReservationRef;

export interface ReleaseResult {
  /** Amount made available again, per bucket. */
  returned: Amounts;
  /** Expiry of the reservation released. */
  expiresAtMs: number;
  moneyAvailable: number;
}

/** The deadline applies only when `units` asks for a new grant. */
export interface SettleRequest extends ReservationRef, Deadline {
  /** Service units used since the last grant (0 when none). */
  used: number;
  /**
   * Of `used`, the units reported after the grant's tariff change (RFC 4006 §8.27
   * UNIT_AFTER_TARIFF_CHANGE), charged at the tiers' `priceAfterChange`; the rest is charged at
   * the price in force when the grant was made. Default 0.
   */
  usedAfterChange?: number;
  overuse?: OverusePolicy;
  /** Service units asked for a new grant; 0 or absent: none (CCR-T). */
  units?: number;
  /** Required when units > 0. */
  tiers?: Tier[];
  /** Required when units > 0. */
  expiresAtMs?: number;
  /** Only if this key (in the account's slot) still holds this value: else GuardFailedError. */
  guard?: Guard;
  /**
   * A write of the caller's, made in the same call when it succeeds (lua/includes/session-write.lua):
   * one Redis only, where the scripts keep the reservation index themselves.
   */
  carry?: ScriptArg[];
}

/** Why an account may not be served any more: the catalogue codes of status and validity. */
export type AccountDenial = 'ACCOUNT_BLOCKED' | 'ACCOUNT_LOST' | 'ACCOUNT_EXPIRED';

export interface SettleResult {
  /** A reservation was there and was settled. */
  settled: boolean;
  charged: number;
  uncharged: number;
  amounts: Amounts;
  returned: Amounts;
  /** Expiry of the reservation settled, 0 when there was none. */
  releasedExpiresAtMs: number;
  /** Service units of the new grant (0 when none was asked or none was affordable). */
  granted: number;
  final: boolean;
  /** Units were asked for and not one was affordable (4012 for that request). */
  creditLimitReached: boolean;
  /**
   * The account may no longer be served (blocked, lost, past its validity), found by the same
   * call: the usage was charged and the reservation returned, but no grant made (4010).
   */
  accountDenied?: AccountDenial;
  /** Expiry of the new grant, 0 when none. */
  expiresAtMs: number;
  tiers: TierHold[];
  moneyAvailable: number;
  /** The call wrote its session's record: the result as that record keeps it (kept-result.ts). */
  kept?: string;
}

export interface CreditRequest {
  opId: string;
  msisdn: string;
  /** > 0. */
  amount: number;
  /** Default `money`. */
  bucket?: string;
  nowMs: number;
  reference?: string;
  sessionId?: string;
}

export interface CreditResult {
  bucket: string;
  available: number;
}

export interface DirectDebitRequest extends Deadline {
  opId: string;
  msisdn: string;
  tiers: Tier[];
  units: number;
  nowMs: number;
  sessionId?: string;
  ratingGroup?: number;
  /** Charge what can be paid for instead of all or nothing. Default false. */
  partial?: boolean;
  authenticate?: boolean;
  /**
   * Keep what the debit takes in money this long, under a new reference (the result's
   * `charge`), so that a refund naming it is bounded by it (refundCharge). Absent: not kept.
   */
  keepChargeSeconds?: number;
}

export interface DirectDebitResult {
  charged: number;
  uncharged: number;
  amounts: Amounts;
  moneyAvailable: number;
  /** The reference of the charge kept, with `keepChargeSeconds`. */
  charge?: string;
}

/** A refund of money that names an earlier charge by its reference. */
export interface RefundChargeRequest {
  opId: string;
  msisdn: string;
  /** > 0. */
  amount: number;
  /** The reference a refundable direct debit gave. */
  charge: string;
  nowMs: number;
  sessionId?: string;
}

export interface RefundChargeResult extends CreditResult {
  /** What may still be refunded against the charge after this refund. */
  refundable: number;
}

export interface SetBucketRequest {
  opId: string;
  msisdn: string;
  bucket: string;
  available: number;
  nowMs: number;
}

export interface SetBucketResult {
  bucket: string;
  before: number;
  available: number;
}

export interface ResetFreeCreditsRequest {
  msisdn: string;
  /** Allowance per bucket for the period (not `money`). */
  buckets: Record<string, number>;
  /** 'YYYY-MM'. */
  period: string;
  /** For the ledger entry; default Date.now(). */
  nowMs?: number;
}

export interface ResetFreeCreditsResult {
  reset: string[];
  /** Buckets already reset for this period or a later one. */
  skipped: string[];
}

export interface ExpiredReservation {
  sessionId: string;
  ratingGroup: number;
  returned: Amounts;
}

export interface ExpireResult {
  expired: ExpiredReservation[];
}

export interface SweepResult {
  /** Accounts whose reservations were examined. */
  accounts: number;
  /** Reservations given back. */
  expired: number;
  /** Index entries dropped (their reservation is gone). */
  removed: number;
  /** Index entries moved to the later expiry of a reservation that is still live. */
  rescored: number;
}

export interface ReservationView {
  sessionId: string;
  ratingGroup: number;
  expiresAtMs: number;
  /** Service units still held. */
  units: number;
  tiers: (TierHold & { unitSize: number; pricePerUnit: number; priceAfterChange?: number })[];
}

export type LedgerOp =
  | 'settle'
  | 'apply'
  | 'deduct'
  | 'return'
  | 'topup'
  | 'refund'
  | 'debit'
  | 'set'
  | 'reset'
  | 'expire'
  | 'bundle'
  | 'bundle-expire';

export interface BucketDelta {
  available: number;
  reserved: number;
  spent: number;
}

export interface LedgerEntry {
  /** Stream entry id. */
  id: string;
  op: LedgerOp;
  opId: string;
  session: string;
  /** Rating group, or null when the operation had none. */
  ratingGroup: number | null;
  deltas: Record<string, BucketDelta>;
  moneyAvailableAfter: number;
  ts: number;
  /**
   * Extra fields of the operation: used, uncharged, afterTariffChange, granted, ref, period,
   * charge, bundle, fee. A `settle` carries used, uncharged and granted of its three steps.
   */
  extra: Record<string, string>;
}
