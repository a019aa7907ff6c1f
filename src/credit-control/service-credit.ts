import { DeadlinePassedError } from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import type { Rating } from '../rating/types.js';
import { freezeGrant, settleUsage, type Frozen, type Grant } from './charges.js';
import type { CallRating } from './call-rating.js';
import type { CarryPlan } from './session-carry.js';
import type { Charging } from './context.js';
import { recordOtherParty } from './parties.js';
import { ChargingRefusal, refusalOf } from './refusals.js';
import { COMMAND_LEVEL } from './requested-services.js';
import { grantedUnits, unitsOf, type ServiceKind } from './service-kind.js';
import { noteLevel, type SessionRecord } from './session-record.js';
import type { ServiceSettings } from './settings.js';
import type { CreditControlRequest, ServiceCreditAnswer, ServiceCreditRequest } from './types.js';

/**
 * One MSCC of a CCR-I or CCR-U, answered: on a CCR-U what was used is charged first; then,
 * when units are asked for, they are rated and frozen. A refusal becomes this MSCC's own
 * Result-Code, so that the other rating groups of the request go on. On a CCR-U the usage and
 * the new grant go through one settle call, which checks the account again: one that may no
 * longer be served gets 4010 here (RFC 4006 §5.1.2, §9) and `usage.denied` is set.
 */
export async function chargeAndGrant(
  charging: Charging,
  kind: ServiceKind,
  record: SessionRecord,
  request: CreditControlRequest,
  callRating: CallRating,
  service: ServiceCreditRequest,
  usage: { used: number; settle: boolean; denied?: boolean; carry?: CarryPlan },
): Promise<ServiceCreditAnswer> {
  const rg = service.ratingGroup ?? COMMAND_LEVEL;
  const base: ServiceCreditAnswer = { resultCode: ResultCode.SUCCESS };
  if (service.ratingGroup !== undefined) base.ratingGroup = rg;
  if (service.serviceIdentifiers.length) base.serviceIdentifiers = service.serviceIdentifiers;
  const settings = charging.settings[kind];
  const units = unitsWanted(kind, request, service, settings);

  let rating: Rating | undefined;
  let ratingRefusal: ChargingRefusal | undefined;
  if (units > 0) {
    try {
      // A grant may be used for its Validity-Time: a change of price within it is announced.
      rating = await callRating.rate(rg, record.tariff, { windowMs: settings.validityTime * 1000 });
      recordOtherParty(record, request, rating);
    } catch (err) {
      ratingRefusal = refusalOf(err);
      if (!ratingRefusal) throw err;
    }
  }
  const grant: Grant | undefined = rating ? { units, rating } : undefined;
  try {
    let frozen: Frozen | undefined;
    if (usage.settle && (usage.used > 0 || record.reserved.includes(rg) || grant))
      frozen = await settleUsage(charging, record, request, rg, usage.used, grant, 'settle', usage.carry);
    else if (grant) frozen = await freezeGrant(charging, record, request, rg, grant, usage.carry);
    if (ratingRefusal) return { ...base, resultCode: ratingRefusal.resultCode };
    if (frozen?.denied) {
      usage.denied = true;
      return { ...base, resultCode: new ChargingRefusal(frozen.denied, 'account denied').resultCode };
    }
    if (!grant || !frozen) return base;
    if (frozen.creditLimitReached) return { ...base, resultCode: ResultCode.CREDIT_LIMIT_REACHED };
    noteLevel(record, grant.rating.level);
    return withTariffChange(quotaAnswer(charging, kind, base, frozen), grant.rating, charging.now());
  } catch (err) {
    const refusal = refusalOf(err);
    // Past its deadline the client has stopped waiting: the request fails whole (5012).
    if (!refusal || err instanceof DeadlinePassedError) throw err;
    return { ...base, resultCode: refusal.resultCode };
  }
}

/** CCR-I grants even without Requested-Service-Unit (RFC 4006 §5.1.2); CCR-U only when asked. */
function unitsWanted(
  kind: ServiceKind,
  request: CreditControlRequest,
  service: ServiceCreditRequest,
  settings: ServiceSettings,
): number {
  const wanted = service.requested ?? (request.requestType === 'initial' ? {} : undefined);
  if (wanted === undefined) return 0;
  return Math.min(unitsOf(kind, wanted) ?? settings.defaultQuota, settings.maxQuota);
}

/** The granted quota with its validity, thresholds and, on the last grant, Final-Unit-Indication. */
function quotaAnswer(
  charging: Charging,
  kind: ServiceKind,
  base: ServiceCreditAnswer,
  frozen: Frozen,
): ServiceCreditAnswer {
  const settings = charging.settings[kind];
  const answer: ServiceCreditAnswer = {
    ...base,
    granted: grantedUnits(kind, frozen.granted),
    validityTime: settings.validityTime,
  };
  if (settings.quotaThreshold !== undefined) {
    if (kind === 'voice') answer.timeQuotaThreshold = settings.quotaThreshold;
    else if (kind === 'data') answer.volumeQuotaThreshold = settings.quotaThreshold;
    else answer.unitQuotaThreshold = settings.quotaThreshold;
  }
  if (settings.quotaHoldingTime !== undefined) answer.quotaHoldingTime = settings.quotaHoldingTime;
  if (frozen.final) answer.finalUnitIndication = charging.settings.finalUnit;
  return answer;
}

/**
 * A grant across a change of price carries the moment of the change in its
 * Granted-Service-Unit (RFC 4006 §8.20), and the client reports its usage before and after it
 * (§8.27). One grant spans one change: its Validity-Time ends by the next one.
 */
function withTariffChange(answer: ServiceCreditAnswer, rating: Rating, nowMs: number): ServiceCreditAnswer {
  if (rating.tariffChangeAtMs === undefined || !answer.granted) return answer;
  const out = {
    ...answer,
    granted: { ...answer.granted, tariffTimeChange: new Date(rating.tariffChangeAtMs) },
  };
  if (rating.validUntilMs !== undefined) {
    const seconds = Math.max(1, Math.floor((rating.validUntilMs - nowMs) / 1000));
    out.validityTime = Math.min(out.validityTime ?? seconds, seconds);
  }
  return out;
}
