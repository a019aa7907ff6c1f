import type { ChargedService } from '../rating/types.js';
import type { CreditControlRequest, GrantedServiceUnits, ServiceUnits } from './types.js';

/** The services this OCS charges, told apart by Service-Context-Id (TS 32.299 §7.1.12). */
export type ServiceKind = 'voice' | 'data' | 'sms';

const CONTEXTS: Record<string, ServiceKind> = { '32251': 'data', '32260': 'voice', '32274': 'sms' };

/** `[[[[ext.]MNC.]MCC.]Release.]service-context@domain`: the 5-digit context before `@3gpp.org`. */
export function serviceKindOf(serviceContextId: string): ServiceKind | undefined {
  const m = /(?:^|\.)(\d{5})@3gpp\.org$/i.exec(serviceContextId);
  return m ? CONTEXTS[m[1]!] : undefined;
}

/** The leg being rated (TS 32.299 Role-Of-Node: terminating when the served user is called). */
export function chargedService(
  kind: ServiceKind,
  request: CreditControlRequest,
  ratingGroup: number,
): ChargedService {
  switch (kind) {
    case 'voice':
      return {
        kind: 'voice',
        role: request.ims?.roleOfNode === 'terminating' ? 'terminating' : 'originating',
      };
    case 'sms':
      return { kind: 'sms' };
    case 'data':
      return { kind: 'data', ratingGroup };
  }
}

/** The amount of a Requested- or Used-Service-Unit in the service's own unit, if it has one. */
export function unitsOf(kind: ServiceKind, units: ServiceUnits): number | undefined {
  switch (kind) {
    case 'voice':
      return units.time;
    case 'sms':
      return units.serviceSpecificUnits;
    case 'data':
      if (units.totalOctets !== undefined) return units.totalOctets;
      if (units.inputOctets !== undefined || units.outputOctets !== undefined) {
        return (units.inputOctets ?? 0) + (units.outputOctets ?? 0);
      }
      return undefined;
  }
}

export function grantedUnits(kind: ServiceKind, units: number): GrantedServiceUnits {
  switch (kind) {
    case 'voice':
      return { time: units };
    case 'sms':
      return { serviceSpecificUnits: units };
    case 'data':
      return { totalOctets: units };
  }
}
