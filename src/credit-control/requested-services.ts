import { MAX_AMOUNT } from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import { ChargingRefusal } from './refusals.js';
import { byRatingGroup, unitsOf, type ServiceKind } from './service-kind.js';
import type {
  CreditControlAnswer,
  CreditControlRequest,
  ServiceCreditAnswer,
  ServiceCreditRequest,
  UsedServiceUnits,
} from './types.js';

/** Rating group of credit control at command level (RFC 4006 §5.1.1, no MSCC). */
export const COMMAND_LEVEL = 0;

/**
 * The services a request asks about: its MSCCs, one per rating group, or, without MSCC, one
 * command-level service made of the command's own Requested- and Used-Service-Unit.
 */
export function requestedServices(request: CreditControlRequest): ServiceCreditRequest[] {
  if (request.services.length > 0) return byRatingGroup(request.services);
  return [
    {
      ratingGroup: COMMAND_LEVEL,
      serviceIdentifiers: request.serviceIdentifier === undefined ? [] : [request.serviceIdentifier],
      ...(request.requested ? { requested: request.requested } : {}),
      used: request.used,
    },
  ];
}

/**
 * Units reported used in one rating group's Used-Service-Units. More than the balance store
 * can count (15 digits) is no usage a network can report: refused 5004 and charged nothing.
 */
export function unitsUsed(kind: ServiceKind, used: readonly UsedServiceUnits[], before = 0): number {
  let sum = before;
  for (const u of used) sum += unitsOf(kind, u) ?? 0;
  if (sum > MAX_AMOUNT)
    throw new ChargingRefusal('UNITS_INVALID', `${sum} units reported used`, 'Used-Service-Unit');
  return sum;
}

/** RFC 4006 §8.27 Tariff-Change-Usage UNIT_AFTER_TARIFF_CHANGE. */
export const UNIT_AFTER_TARIFF_CHANGE = 1;

/**
 * Of the units a request reports used in rating group `rg`, those reported after the tariff
 * change (RFC 4006 §8.27 UNIT_AFTER_TARIFF_CHANGE), charged at the price after it. Units before
 * the change, indeterminate or reported without Tariff-Change-Usage are charged at the price in
 * force when the grant was made.
 */
export function unitsAfterTariffChange(kind: ServiceKind, request: CreditControlRequest, rg: number): number {
  let sum = 0;
  const add = (used: readonly UsedServiceUnits[]) => {
    for (const u of used) if (u.tariffChangeUsage === UNIT_AFTER_TARIFF_CHANGE) sum += unitsOf(kind, u) ?? 0;
  };
  for (const s of request.services) if ((s.ratingGroup ?? COMMAND_LEVEL) === rg) add(s.used);
  if (rg === COMMAND_LEVEL) add(request.used);
  return sum;
}

/** The request had no MSCC: its answer goes at command level (RFC 4006 §5.1.1). */
export function isCommandLevel(request: CreditControlRequest): boolean {
  return request.services.length === 0;
}

/**
 * The command's answer from its services' answers: success unless every service failed (then
 * the first failure). Without MSCC the grant and its details go at command level.
 */
export function commandAnswer(services: ServiceCreditAnswer[], commandLevel: boolean): CreditControlAnswer {
  const failed = services.filter((s) => s.resultCode !== ResultCode.SUCCESS);
  const resultCode =
    services.length > 0 && failed.length === services.length ? failed[0]!.resultCode : ResultCode.SUCCESS;
  if (!commandLevel) return { resultCode, services };
  const [s] = services;
  const answer: CreditControlAnswer = { resultCode, services: [] };
  if (s?.granted) answer.granted = s.granted;
  if (s?.validityTime !== undefined) answer.validityTime = s.validityTime;
  if (s?.finalUnitIndication) answer.finalUnitIndication = s.finalUnitIndication;
  return answer;
}
