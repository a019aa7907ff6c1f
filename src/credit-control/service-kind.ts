import type { ChargedService } from '../rating/types.js';
import type {
  CreditControlRequest,
  GrantedServiceUnits,
  ServiceCreditRequest,
  ServiceUnits,
} from './types.js';

/** The services this OCS charges, told apart by Service-Context-Id (TS 32.299 §7.1.12). */
export type ServiceKind = 'voice' | 'data' | 'sms';

const CONTEXTS: Record<string, ServiceKind> = { '32251': 'data', '32260': 'voice', '32274': 'sms' };

/**
 * `[[[[ext.]MNC.]MCC.]Release.]service-context@domain`: the 5-digit context before `@3gpp.org`;
 * or a client's own Service-Context-Id the operator named in `serviceContexts` (open5gs' SMF, for
 * one, sends `open5gs-smfd@open5gs.org` for data). Compared without regard to case.
 */
export function serviceKindOf(
  serviceContextId: string,
  configured: Readonly<Record<string, ServiceKind>> = {},
): ServiceKind | undefined {
  const named = configured[serviceContextId.toLowerCase()];
  if (named) return named;
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

const UNIT_FIELDS = ['time', 'totalOctets', 'inputOctets', 'outputOctets', 'serviceSpecificUnits'] as const;

/**
 * The MSCCs of a request with those of one rating group made one (rating group 0 for MSCCs
 * without one). Quota is kept per rating group here: a reservation and each balance operation
 * of a request belong to a (session, rating group), so a second MSCC of the same group would
 * find the first one's operation already done and its usage would go uncharged. Merged, the
 * group reports all its usage, asks the sum of its requests and is answered as one MSCC that
 * names every Service-Identifier (TS 32.299: quota shared by the services of a rating group).
 */
export function byRatingGroup(services: readonly ServiceCreditRequest[]): ServiceCreditRequest[] {
  const groups = new Map<number, ServiceCreditRequest>();
  for (const service of services) {
    const rg = service.ratingGroup ?? 0;
    const group = groups.get(rg);
    if (!group) {
      groups.set(rg, {
        ...service,
        serviceIdentifiers: [...service.serviceIdentifiers],
        used: [...service.used],
        ...(service.requested ? { requested: { ...service.requested } } : {}),
      });
      continue;
    }
    for (const id of service.serviceIdentifiers) {
      if (!group.serviceIdentifiers.includes(id)) group.serviceIdentifiers.push(id);
    }
    group.used.push(...service.used);
    if (service.requested) group.requested = addUnits(group.requested ?? {}, service.requested);
    if (group.reportingReason === undefined && service.reportingReason !== undefined) {
      group.reportingReason = service.reportingReason;
    }
  }
  return [...groups.values()];
}

function addUnits(a: ServiceUnits, b: ServiceUnits): ServiceUnits {
  const sum: ServiceUnits = { ...a };
  for (const field of UNIT_FIELDS) {
    if (b[field] !== undefined) sum[field] = (a[field] ?? 0) + b[field];
  }
  if (!sum.money && b.money) sum.money = b.money;
  return sum;
}
