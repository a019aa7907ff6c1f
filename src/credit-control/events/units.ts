import { ChargingRefusal } from '../refusals.js';
import { unitsOf, type ServiceKind } from '../service-kind.js';
import type { ServiceSettings } from '../settings.js';
import type { RequestedAction, ServiceUnits } from '../types.js';

/**
 * The service units an event is about (RFC 4006 §8.41: what its Requested-Service-Unit names).
 * Without one only an SMS (one message by default) and a balance check (one unit: "is there
 * any credit?") make sense; the other actions must say how much (5005). Units of a kind the
 * service is not rated in cannot be priced (5031), rather than guessed.
 */
export function eventUnits(
  kind: ServiceKind,
  action: RequestedAction,
  requested: ServiceUnits | undefined,
  settings: ServiceSettings,
): number {
  const named = requested && Object.values(requested).some((v) => v !== undefined);
  if (!named) {
    if (kind === 'sms') return settings.defaultQuota;
    if (action === 'check-balance') return 1;
    throw new ChargingRefusal(
      'UNITS_MISSING',
      `${action} needs a Requested-Service-Unit saying how much`,
      'Requested-Service-Unit',
    );
  }
  const units = unitsOf(kind, requested);
  if (units === undefined) {
    throw new ChargingRefusal(
      'UNITS_NOT_RATED',
      `the Requested-Service-Unit names no ${kind === 'voice' ? 'CC-Time' : kind === 'data' ? 'octets' : 'CC-Service-Specific-Units'}, which ${kind} is rated in`,
    );
  }
  return Math.min(units, settings.maxQuota);
}
