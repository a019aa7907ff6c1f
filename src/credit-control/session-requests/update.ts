import { ResultCode } from '../../errors/result-codes.js';
import { CallRating } from '../call-rating.js';
import type { Charging } from '../context.js';
import { commandAnswer, isCommandLevel, requestedServices, unitsUsed } from '../requested-services.js';
import { chargeAndGrant } from '../service-credit.js';
import type { ServiceKind } from '../service-kind.js';
import { saveAfterRequest } from '../session-close.js';
import { planCarry } from '../session-carry.js';
import { isReplay, isSeen, repeatOrRefuse, sessionOf } from '../session-lookup.js';
import type { CreditControlAnswer, CreditControlRequest, ServiceCreditAnswer } from '../types.js';

/**
 * CCR-U (RFC 4006 §5.1.2): per rating group, deduct what was used from its reservation, return
 * the rest and apply a new grant when more is asked for (DESIGN §2), in one script call each.
 * An account found blocked, lost or expired by those calls is denied per service: each MSCC
 * that asked for units gets 4010 while the command, whose usage was charged, succeeds (RFC 4006
 * §8.16: the MSCC's Result-Code is that service's).
 */
export async function updateSession(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
): Promise<CreditControlAnswer> {
  const record = await sessionOf(charging, request);
  const replay = isReplay(record, request);
  if (isSeen(record, request) && !replay) return repeatOrRefuse(record, request);
  const callRating = new CallRating(charging, record.msisdn, kind, request);
  const services = requestedServices(request);
  // Every report is checked before anything is charged: a refused request charges nothing.
  const used = services.map((service) => unitsUsed(kind, service.used));
  const answers: ServiceCreditAnswer[] = [];
  let denied = false;
  // A request of one rating group is one charging call, which can carry the session write.
  const carried = services.length === 1 && !replay ? planCarry(charging, request, 'open') : undefined;
  for (const [i, service] of services.entries()) {
    const usage = { used: used[i] ?? 0, settle: true, denied: false, ...(carried ? { carry: carried } : {}) };
    answers.push(await chargeAndGrant(charging, kind, record, request, callRating, service, usage));
    denied ||= usage.denied;
  }
  const commandLevel = isCommandLevel(request);
  const answer = commandAnswer(answers, commandLevel);
  if (denied && !commandLevel) answer.resultCode = ResultCode.SUCCESS;
  return saveAfterRequest(charging, record, request, answer, 'open', {
    ...(carried ? { carried } : {}),
    replay,
  });
}
