import type { Cluster, Redis } from 'ioredis';
import { MONEY, type ApplyResult, type SettleResult } from '../balance/index.js';
import { applyResult, settleResult, unwrap } from '../balance/decode.js';
import { keptReply } from '../balance/kept-result.js';
import { ResultCode } from '../errors/result-codes.js';
import { addAmounts, noteLevel, type SessionRecord } from './session-record.js';
import type { FinalUnitIndication } from './types.js';

/**
 * What a charging call changed in its session's record: the same whether the request's
 * instance notes it on the reply or a reader adds it to a record written by that call
 * (`pending`, session-carry.ts) from the call's kept first result.
 */
export function noteSettled(
  record: SessionRecord,
  rg: number,
  used: number,
  result: Pick<SettleResult, 'amounts' | 'tiers' | 'granted'>,
): void {
  record.used[rg] = (record.used[rg] ?? 0) + used;
  addAmounts(record, result.amounts);
  noteHeld(record, rg, result);
}

/** A grant's money held and whether the rating group keeps a reservation. */
export function noteHeld(
  record: SessionRecord,
  rg: number,
  result: Pick<ApplyResult, 'tiers' | 'granted'>,
): void {
  let money = 0;
  for (const h of result.tiers) if (h.bucket === MONEY) money += h.amount;
  holdMoney(record, rg, money);
  markReserved(record, rg, result.granted > 0);
}

/**
 * Records what a rating group now holds of money (the admin API shows it). The money frozen
 * of all sessions is read from Redis at the scrape, not moved here.
 */
export function holdMoney(record: SessionRecord, rg: number, money: number): void {
  const held = (record.held ??= {});
  if (money > 0) held[rg] = money;
  else delete held[rg];
}

export function markReserved(record: SessionRecord, rg: number, reserved: boolean): void {
  const has = record.reserved.includes(rg);
  if (reserved && !has) record.reserved.push(rg);
  if (!reserved && has) record.reserved = record.reserved.filter((r) => r !== rg);
}

/**
 * The charging call that wrote the record as read (its `pending`), kept beside the record in
 * memory, never stored: the next write that replaces the record releases that call's kept result
 * (session-write.lua 'release').
 */
const carriedOps = new WeakMap<SessionRecord, string>();

export function noteCarriedOp(record: SessionRecord, opId: string): void {
  carriedOps.set(record, opId);
}

export function carriedOpOf(record: SessionRecord): string | undefined {
  return carriedOps.get(record);
}

/**
 * Completes a record written by its request's charging call with that call's result, which the
 * call kept in the record itself; a record of an earlier version has it where the balance store
 * keeps results for replays (`operationKey`), read then. Without one (deleted by hand) the
 * record keeps what it has, and the session its earlier totals.
 */
export async function addPendingResult(
  redis: Redis | Cluster,
  record: SessionRecord,
  operationKey: (opId: string) => string,
): Promise<void> {
  const pending = record.pending;
  if (!pending) return;
  let reply = pending.result && keptReply(pending.call, pending.result);
  if (reply === undefined) {
    reply = await redis.ocsOperationResult(operationKey(pending.opId));
    if (typeof reply === 'string') reply = keptReply(pending.call, JSON.parse(reply) as unknown[]);
  }
  record.pending = undefined;
  noteCarriedOp(record, pending.opId);
  if (reply === null || reply === undefined) return;
  const fields = unwrap(reply);
  const result = pending.call === 'settle' ? settleResult(fields) : applyResult(fields);
  if (pending.call === 'settle')
    noteSettled(record, pending.ratingGroup, pending.used, result as SettleResult);
  else noteHeld(record, pending.ratingGroup, result);
  if (result.granted > 0 && pending.level !== undefined) noteLevel(record, pending.level);
  // The answer's Result-Code, for a CDR written later (Tcc): the call succeeded, and a grant
  // asked and not made is the one refusal its request's answer had as a whole (RFC 4006 §9).
  const limit = pending.call === 'settle' && (result as SettleResult).creditLimitReached;
  // The rating group ran dry, or its grant was the last units the account could pay for: kept,
  // so that a top-up can re-authorise it (src/network-requests/).
  record.lastAnswer = {
    resultCode: limit ? ResultCode.CREDIT_LIMIT_REACHED : ResultCode.SUCCESS,
    services: limit
      ? [{ ratingGroup: pending.ratingGroup, resultCode: ResultCode.CREDIT_LIMIT_REACHED }]
      : result.granted > 0 && result.final
        ? [
            {
              ratingGroup: pending.ratingGroup,
              resultCode: ResultCode.SUCCESS,
              finalUnitIndication: FINAL_GRANT,
            },
          ]
        : [],
  };
}

/**
 * Marks a final grant in a record completed from its call's result. The action the answer
 * carried (settings.finalUnit) is not kept with the result: what the record's readers need is
 * that the grant was final, and a retransmission of that request is run again, not read from here.
 */
const FINAL_GRANT: FinalUnitIndication = { action: 'terminate' };
