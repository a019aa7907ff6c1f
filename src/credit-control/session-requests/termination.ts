import { ResultCode } from '../../errors/result-codes.js';
import { settleUsage } from '../charges.js';
import type { Charging } from '../context.js';
import { COMMAND_LEVEL } from '../requested-services.js';
import { unitsOf, type ServiceKind } from '../service-kind.js';
import { saveAfterRequest } from '../session-close.js';
import { isSeen, repeatOrRefuse, sessionOf } from '../session-lookup.js';
import type { CreditControlAnswer, CreditControlRequest } from '../types.js';

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
  if (isSeen(record, request)) return repeatOrRefuse(record, request);
  const reported = new Map<number, number>();
  const report = (rg: number, units: number) => reported.set(rg, (reported.get(rg) ?? 0) + units);
  for (const service of request.services) {
    for (const u of service.used) report(service.ratingGroup ?? COMMAND_LEVEL, unitsOf(kind, u) ?? 0);
  }
  for (const u of request.used) report(COMMAND_LEVEL, unitsOf(kind, u) ?? 0);
  for (const rg of new Set([...record.reserved, ...reported.keys()])) {
    await settleUsage(charging, record, request, rg, reported.get(rg) ?? 0, undefined);
  }
  record.closeReason = 'termination';
  return saveAfterRequest(
    charging,
    record,
    request,
    { resultCode: ResultCode.SUCCESS, services: [] },
    'closed',
  );
}
