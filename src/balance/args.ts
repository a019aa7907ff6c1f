/**
 * The KEYS and ARGV of each balance script call, in the order its header (lua/*.lua) lists
 * them, every value checked before the round trip (validate.ts).
 */
import { isChargeReference } from './charge-reference.js';
import { ChargeUnknownError, InvalidArgumentError } from './errors.js';
import type { Keys } from './keys.js';
import type { ScriptArg } from '../redis/script-call.js';
import {
  MONEY,
  type AccountInput,
  type ApplyRequest,
  type CreditRequest,
  type Deadline,
  type DeductRequest,
  type DirectDebitRequest,
  type RefundChargeRequest,
  type ReservationRef,
  type ResetFreeCreditsRequest,
  type SetBucketRequest,
  type SettleRequest,
} from './types.js';
import { checkBucket, checkInt, checkRatingGroup, checkText, checkTiers, tierArgs } from './validate.js';

export class ScriptArgs {
  constructor(
    private readonly keys: Keys,
    private readonly ledgerMaxLen: number,
    private readonly opTtlSeconds: number,
  ) {}

  upsertAccount(input: AccountInput, nowMs: number): ScriptArg[] {
    const k = this.keys.account(input.msisdn);
    const buckets = Object.entries(input.buckets ?? {});
    const validUntil = input.validUntil ?? 0;
    const minThreshold = input.minThreshold ?? 0;
    checkInt('nowMs', nowMs);
    checkInt('validUntil', validUntil);
    checkInt('minThreshold', minThreshold);
    buckets.forEach(([name, amount], i) => {
      checkBucket(`buckets[${i}]`, name);
      checkInt(`buckets.${name}`, amount);
    });
    return [
      k.account,
      k.ledger,
      nowMs,
      this.ledgerMaxLen,
      input.status ?? 'active',
      validUntil,
      minThreshold,
      input.prepaid === false ? '0' : '1',
      input.tariff ?? '',
      input.currency ?? '',
      buckets.length,
      ...buckets.flat(),
    ];
  }

  authenticate(msisdn: string, nowMs: number): ScriptArg[] {
    checkInt('nowMs', nowMs);
    return [this.keys.account(msisdn).account, this.keys.bundles(msisdn), nowMs];
  }

  apply(req: ApplyRequest): ScriptArg[] {
    const base = this.reservation(req);
    checkInt('units', req.units, 1);
    checkInt('expiresAtMs', req.expiresAtMs);
    checkTiers(req.tiers);
    return [
      ...base,
      req.units,
      req.expiresAtMs,
      req.authenticate ? '1' : '0',
      ...tierArgs(req.tiers),
      deadlineArg(req),
    ];
  }

  deduct(req: DeductRequest): ScriptArg[] {
    return [...this.reservation(req), checkedUsed(req.used), req.overuse ?? 'charge-available'];
  }

  release(req: ReservationRef): ScriptArg[] {
    return this.reservation(req);
  }

  /** Usage first, then the new grant: units, and its expiry and tiers, or 0 when none; the deadline. */
  settle(req: SettleRequest): ScriptArg[] {
    const units = req.units ?? 0;
    checkInt('units', units);
    const grant: ScriptArg[] = [units, 0];
    if (units > 0) {
      checkInt('expiresAtMs', req.expiresAtMs);
      checkTiers(req.tiers);
      grant.splice(1, 1, req.expiresAtMs, ...tierArgs(req.tiers));
    }
    return [
      ...this.reservation(req),
      usedArg(req.used, req.usedAfterChange ?? 0),
      req.overuse ?? 'charge-available',
      ...grant,
      deadlineArg(req),
    ];
  }

  /** Top-up and refund take the same arguments. */
  credit(req: CreditRequest): ScriptArg[] {
    const k = this.keys.account(req.msisdn);
    const bucket = req.bucket ?? MONEY;
    checkBucket('bucket', bucket);
    checkInt('amount', req.amount, 1);
    checkText('reference', req.reference ?? '', 256, 0);
    checkText('sessionId', req.sessionId ?? '', 512, 0);
    return [
      k.account,
      k.ledger,
      this.keys.operation(req.msisdn, req.opId),
      ...this.op(req.opId, req.nowMs),
      bucket,
      req.amount,
      req.reference ?? '',
      req.sessionId ?? '',
    ];
  }

  directDebit(req: DirectDebitRequest): ScriptArg[] {
    const k = this.keys.account(req.msisdn);
    checkText('sessionId', req.sessionId ?? '', 512, 0);
    if (req.ratingGroup !== undefined) checkRatingGroup(req.ratingGroup);
    checkInt('units', req.units, 1);
    checkTiers(req.tiers);
    return [
      k.account,
      k.ledger,
      this.keys.operation(req.msisdn, req.opId),
      ...this.op(req.opId, req.nowMs),
      req.sessionId ?? '',
      req.ratingGroup ?? '',
      req.units,
      req.partial ? '1' : '0',
      req.authenticate ? '1' : '0',
      ...tierArgs(req.tiers),
      deadlineArg(req),
    ];
  }

  /** direct-debit's, with the charge's key fourth and its reference and lifetime last. */
  refundableDebit(req: DirectDebitRequest, reference: string, keepSeconds: number): ScriptArg[] {
    checkInt('keepChargeSeconds', keepSeconds, 1);
    const args = this.directDebit(req);
    args.splice(3, 0, this.keys.charge(req.msisdn, reference));
    args.push(reference, keepSeconds);
    return args;
  }

  /**
   * A refund's, in money, with the charge's key fourth and its reference as the ledger's. A
   * reference of a form this server never gives names no charge: refused as one unknown.
   */
  refundCharge(req: RefundChargeRequest): ScriptArg[] {
    if (!isChargeReference(req.charge)) throw new ChargeUnknownError('not a reference of this server');
    const args = this.credit({ ...req, bucket: MONEY, reference: req.charge });
    args.splice(3, 0, this.keys.charge(req.msisdn, req.charge));
    return args;
  }

  setBucket(req: SetBucketRequest): ScriptArg[] {
    const k = this.keys.account(req.msisdn);
    checkBucket('bucket', req.bucket);
    checkInt('available', req.available);
    return [
      k.account,
      k.ledger,
      this.keys.operation(req.msisdn, req.opId),
      ...this.op(req.opId, req.nowMs),
      req.bucket,
      req.available,
    ];
  }

  resetFreeCredits(req: ResetFreeCreditsRequest): ScriptArg[] {
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
    return [k.account, k.ledger, nowMs, this.ledgerMaxLen, req.period, buckets.length, ...buckets.flat()];
  }

  /** The reservations `ids` of the account, to be expired if due at nowMs. */
  expire(msisdn: string, nowMs: number, ids: string[]): ScriptArg[] {
    const k = this.keys.account(msisdn);
    checkInt('nowMs', nowMs);
    return [k.account, k.reservations, k.ledger, nowMs, this.ledgerMaxLen, ...ids];
  }

  /** The ARGV every idempotent operation starts with (parse_op, lua/includes/args.lua). */
  private op(opId: string, nowMs: number): ScriptArg[] {
    checkText('opId', opId, 512);
    checkInt('nowMs', nowMs);
    return [opId, nowMs, this.opTtlSeconds, this.ledgerMaxLen];
  }

  /** KEYS and the common ARGV of apply, deduct, release and settle. */
  private reservation(req: ReservationRef): ScriptArg[] {
    const k = this.keys.account(req.msisdn);
    checkText('sessionId', req.sessionId, 512);
    checkRatingGroup(req.ratingGroup);
    return [
      k.account,
      k.reservations,
      k.ledger,
      this.keys.operation(req.msisdn, req.opId),
      ...this.op(req.opId, req.nowMs),
      req.sessionId,
      req.ratingGroup,
    ];
  }
}

/** The ARGV after the tiers of apply, settle and direct-debit: the deadline, 0 for none. */
function deadlineArg(req: Deadline): number {
  const deadline = req.deadlineMs ?? 0;
  checkInt('deadlineMs', deadline);
  return deadline;
}

function checkedUsed(used: number): number {
  checkInt('used', used);
  return used;
}

/** settle.lua's `used`: the units, or '<used>/<after>' when some were used after a tariff change. */
function usedArg(used: number, after: number): number | string {
  checkInt('used', used);
  checkInt('usedAfterChange', after);
  if (after > used) throw new InvalidArgumentError(`usedAfterChange: at most used (${used}), got ${after}`);
  return after > 0 ? `${used}/${after}` : used;
}
