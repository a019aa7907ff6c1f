import { ResultCode } from '../../errors/result-codes.js';
import { settleUsage } from '../charges.js';
import type { Charging } from '../context.js';
import { COMMAND_LEVEL, unitsUsed } from '../requested-services.js';
import type { ServiceKind } from '../service-kind.js';
import { saveAfterRequest } from '../session-close.js';
import { planCarry } from '../session-carry.js';
import { isReplay, isSeen, repeatOrRefuse, sessionOf } from '../session-lookup.js';
import type { CreditControlAnswer, CreditControlRequest, UsedServiceUnits } from '../types.js';

/**
 * CCR-T (RFC 4006 §5.1.2): deduct the last usage and return what every reservation of the
 * session still holds (DESIGN §2), then close the session with its CDR.
 */
export async function terminateSession(
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
): Promise<CreditControlAnswer> {
  const record = await sessionOf(charging, request);
  const replay = isReplay(record, request);
  if (isSeen(record, request) && !replay) return repeatOrRefuse(record, request);
  const reported = new Map<number, number>();
  const report = (rg: number, used: readonly UsedServiceUnits[]) => {
    if (used.length > 0) reported.set(rg, unitsUsed(kind, used, reported.get(rg) ?? 0));
  };
  for (const service of request.services) report(service.ratingGroup ?? COMMAND_LEVEL, service.used);
  report(COMMAND_LEVEL, request.used);
  record.closeReason = 'termination';
  const groups = new Set([...record.reserved, ...reported.keys()]);
  // A session of one rating group closes in one charging call, which can carry the session write.
  const carried =
    groups.size === 1 && !replay ? planCarry(charging, request, 'closed', '', ResultCode.SUCCESS) : undefined;
  for (const rg of groups) {
    await settleUsage(charging, record, request, rg, reported.get(rg) ?? 0, undefined, 'settle', carried);
  }
  const answer = { resultCode: ResultCode.SUCCESS, services: [] };
  return saveAfterRequest(charging, record, request, answer, 'closed', {
    ...(carried ? { carried } : {}),
    replay,
  });
}
