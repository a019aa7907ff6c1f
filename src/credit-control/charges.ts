import {
  MONEY,
  ReservationNotFoundError,
  makeOpId,
  type AccountDenial,
  type SettleResult,
} from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import type { Rating } from '../rating/types.js';
import { CallRating } from './call-rating.js';
import { tccSeconds, type Charging } from './context.js';
import { deadlineOf } from './deadline.js';
import { UNIT_OF_SERVICE, currencyLabel } from './metrics.js';
import { refusalOf } from './refusals.js';
import { unitsAfterTariffChange } from './requested-services.js';
import { addAmounts, type SessionRecord } from './session-record.js';
import type { ScriptArg } from '../redis/script-call.js';
import type { CarryPlan } from './session-carry.js';
import { holdMoney as holdMoneyIn, markReserved, noteHeld, noteSettled } from './session-pending.js';
import type { CreditControlRequest } from './types.js';

/** Units to freeze for a rating group, priced by their rating. */
export interface Grant {
  units: number;
  rating: Rating;
}

/**
 * What the store froze for a rating group; `creditLimitReached` when not one unit could be,
 * `denied` when the account may no longer be served and nothing was.
 */
export interface Frozen {
  granted: number;
  final: boolean;
  creditLimitReached: boolean;
  denied?: AccountDenial;
}

const NOTHING_FROZEN: Frozen = { granted: 0, final: false, creditLimitReached: false };

/**
 * The port of credit control to the balance store (DESIGN §2: apply, deduct, return): each
 * function is one script call for one rating group of one request, with an operation id made
 * of the request so that a retransmission charges nothing twice, and the calls that freeze or
 * charge money carry the request's deadline (deadline.ts).
 */

/** Apply: freezes a grant for the rating group (CCR-I, or a CCR-U with nothing to settle). */
export async function freezeGrant(
  charging: Charging,
  record: SessionRecord,
  request: CreditControlRequest,
  rg: number,
  grant: Grant,
  carry?: CarryPlan,
): Promise<Frozen> {
  try {
    const guard = charging.guards.take(record);
    const opId = makeOpId(request.sessionId, request.requestNumber, `apply:${rg}`);
    const carried = carry?.args(record, {
      call: 'apply',
      ratingGroup: rg,
      used: 0,
      opId,
      level: grant.rating.level,
    });
    const result = await charging.store.apply({
      ...(guard ? { guard } : {}),
      ...carryOrKept(charging, record, carried),
      opId,
      msisdn: record.msisdn,
      sessionId: record.sessionId,
      ratingGroup: rg,
      nowMs: charging.now(),
      tiers: grant.rating.tiers,
      units: grant.units,
      expiresAtMs: expiresAt(charging, record),
      ...deadlineOf(request),
    });
    if (carried) carry?.succeeded(result.kept);
    noteHeld(record, rg, result);
    return { granted: result.granted, final: result.final, creditLimitReached: false };
  } catch (err) {
    if (refusalOf(err)?.resultCode === ResultCode.CREDIT_LIMIT_REACHED) {
      return { granted: 0, final: true, creditLimitReached: true };
    }
    throw err;
  }
}

/**
 * Deduct and return, and with `grant` apply again, in one script call: charges `used` out of
 * the rating group's reservation, gives back the rest and freezes the new grant, unless the
 * same call finds the account blocked, lost or expired (`denied`). Usage with no reservation
 * left (it expired under Tcc) is charged from what is available, never below zero.
 */
export async function settleUsage(
  charging: Charging,
  record: SessionRecord,
  request: CreditControlRequest,
  rg: number,
  used: number,
  grant: Grant | undefined,
  step = 'settle',
  carry?: CarryPlan,
): Promise<Frozen> {
  let result: SettleResult;
  const guard = charging.guards.take(record);
  const opId = makeOpId(request.sessionId, request.requestNumber, `${step}:${rg}`);
  const level = grant?.rating.level;
  const carried = carry?.args(record, {
    call: 'settle',
    ratingGroup: rg,
    used,
    opId,
    ...(level ? { level } : {}),
  });
  try {
    result = await charging.store.settle({
      msisdn: record.msisdn,
      sessionId: record.sessionId,
      ratingGroup: rg,
      nowMs: charging.now(),
      ...(guard ? { guard } : {}),
      ...carryOrKept(charging, record, carried),
      opId,
      used,
      usedAfterChange: Math.min(used, unitsAfterTariffChange(record.kind, request, rg)),
      ...(grant
        ? {
            units: grant.units,
            tiers: grant.rating.tiers,
            expiresAtMs: expiresAt(charging, record),
            ...deadlineOf(request),
          }
        : {}),
    });
  } catch (err) {
    if (!(err instanceof ReservationNotFoundError)) throw err;
    holdMoney(charging, record, rg, 0);
    markReserved(record, rg, false);
    await chargeLateUsage(charging, record, request, rg, used);
    // The new grant through settle too, so that the account is checked again before it.
    return grant ? settleUsage(charging, record, request, rg, 0, grant, 'regrant') : NOTHING_FROZEN;
  }
  if (carried) carry?.succeeded(result.kept);
  noteSettled(record, rg, used, result);
  countUsage(charging, record, rg, used, result.amounts);
  if (result.uncharged > 0) {
    charging.logger.warn(
      { sessionId: record.sessionId, msisdn: record.msisdn, rg, uncharged: result.uncharged },
      'usage above what the account could pay',
    );
  }
  const frozen: Frozen = {
    granted: result.granted,
    final: result.final,
    creditLimitReached: result.creditLimitReached,
  };
  if (result.accountDenied) frozen.denied = result.accountDenied;
  return frozen;
}

/**
 * The session write the call carries, or else the session's record as where a replay of the
 * call finds its first result, when an earlier run of it wrote the record (DESIGN §2,
 * Retransmissions).
 */
function carryOrKept(
  charging: Charging,
  record: SessionRecord,
  carried: ScriptArg[] | undefined,
): { carry?: ScriptArg[] } {
  const carry = carried ?? charging.sessions.keptIn(record.msisdn, record.sessionId);
  return carry ? { carry } : {};
}

/** Deduct without a reservation: usage reported after its grant expired, taken as far as credit goes. */
async function chargeLateUsage(
  charging: Charging,
  record: SessionRecord,
  request: CreditControlRequest,
  rg: number,
  used: number,
): Promise<void> {
  if (used <= 0) return;
  const rating = await new CallRating(charging, record.msisdn, record.kind, request).rate(rg, record.tariff);
  try {
    const debit = await charging.store.directDebit({
      opId: makeOpId(request.sessionId, request.requestNumber, `late:${rg}`),
      msisdn: record.msisdn,
      sessionId: record.sessionId,
      ratingGroup: rg,
      tiers: rating.tiers,
      units: used,
      nowMs: charging.now(),
      partial: true,
      ...deadlineOf(request),
    });
    record.used[rg] = (record.used[rg] ?? 0) + used;
    addAmounts(record, debit.amounts);
    countUsage(charging, record, rg, used, debit.amounts);
  } catch (err) {
    if (refusalOf(err)?.resultCode !== ResultCode.CREDIT_LIMIT_REACHED) throw err;
    charging.logger.warn(
      { sessionId: record.sessionId, msisdn: record.msisdn, rg, used },
      'late usage found no credit',
    );
  }
}

/** Return: gives back what a silent session's reservation still holds (Tcc expiry). */
export async function releaseReservation(
  charging: Charging,
  record: SessionRecord,
  rg: number,
  nowMs: number,
): Promise<void> {
  try {
    // The same operation id on every instance: the money is returned once.
    await charging.store.release({
      opId: makeOpId(record.sessionId, record.lastNumber, `tcc:${rg}`),
      msisdn: record.msisdn,
      sessionId: record.sessionId,
      ratingGroup: rg,
      nowMs,
    });
  } catch (err) {
    if (!(err instanceof ReservationNotFoundError)) throw err;
  }
}

/**
 * Records what a rating group now holds of money (the admin API shows it). The money frozen
 * of all sessions is read from Redis at the scrape, not moved here.
 */
export function holdMoney(_charging: Charging, record: SessionRecord, rg: number, money: number): void {
  holdMoneyIn(record, rg, money);
}

function expiresAt(charging: Charging, record: SessionRecord): number {
  return charging.now() + tccSeconds(charging, record.kind) * 1000;
}

function countUsage(
  charging: Charging,
  record: SessionRecord,
  rg: number,
  used: number,
  amounts: Record<string, number>,
): void {
  const metrics = charging.metrics;
  if (!metrics) return;
  if (used > 0) {
    metrics.unitsUsed[UNIT_OF_SERVICE[record.kind]].inc(
      { service: record.kind, rating_group: String(rg) },
      used,
    );
  }
  const money = amounts[MONEY] ?? 0;
  if (money > 0) metrics.moneyCharged.inc({ currency: currencyLabel(record.currency) }, money);
}
