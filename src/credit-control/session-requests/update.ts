import { CallRating } from '../call-rating.js';
import type { Charging } from '../context.js';
import { commandAnswer, isCommandLevel, requestedServices, unitsUsed } from '../requested-services.js';
import { chargeAndGrant } from '../service-credit.js';
import type { ServiceKind } from '../service-kind.js';
import { saveAfterRequest } from '../session-close.js';
import { isSeen, repeatOrRefuse, sessionOf } from '../session-lookup.js';
import type { CreditControlAnswer, CreditControlRequest, ServiceCreditAnswer } from '../types.js';

/**
 * CCR-U (RFC 4006 §5.1.2): per rating group, deduct what was used from its reservation, return
 * the rest and apply a new grant when more is asked for (DESIGN §2), in one script call each.
 */
export async function updateSession(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
): Promise<CreditControlAnswer> {
  const record = await sessionOf(charging, request);
  if (isSeen(record, request)) return repeatOrRefuse(record, request);
  const callRating = new CallRating(charging, record.msisdn, kind, request);
  const services = requestedServices(request);
  // Every report is checked before anything is charged: a refused request charges nothing.
  const used = services.map((service) => unitsUsed(kind, service.used));
  const answers: ServiceCreditAnswer[] = [];
  for (const [i, service] of services.entries()) {
    const usage = { used: used[i] ?? 0, settle: true };
    answers.push(await chargeAndGrant(charging, kind, record, request, callRating, service, usage));
  }
  return saveAfterRequest(charging, record, request, commandAnswer(answers, isCommandLevel(request)), 'open');
}
