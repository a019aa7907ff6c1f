import type {
  CreditControlRequest,
  ImsInformation,
  PsInformation,
  RequestType,
  RequestedAction,
  RoleOfNode,
  ServiceCreditRequest,
  ServiceUnits,
  SubscriptionIdType,
  UsedServiceUnits,
} from '../credit-control/types.js';
import type { Avps } from './avps.js';
import {
  AvpValueError,
  readInteger32,
  readText,
  readTime,
  readUnsigned32,
  readInteger64,
  readUnsigned64AsNumber,
} from './avp-value.js';
import { groupMembers } from './decode.js';
import type { AvpDefinition } from './dictionary.js';
import { CommandFlags, type Avp, type DiameterMessage } from './message.js';

const REQUEST_TYPES: readonly (RequestType | undefined)[] = [
  undefined,
  'initial',
  'update',
  'termination',
  'event',
];
const SUBSCRIPTION_ID_TYPES: readonly SubscriptionIdType[] = ['e164', 'imsi', 'sip-uri', 'nai', 'private'];
const REQUESTED_ACTIONS: readonly RequestedAction[] = [
  'direct-debiting',
  'refund-account',
  'check-balance',
  'price-enquiry',
];
const ROLES_OF_NODE: readonly RoleOfNode[] = ['originating', 'terminating', 'proxy', 'b2bua'];

function is(a: Avp, def: AvpDefinition): boolean {
  return a.code === def.code && a.vendorId === def.vendorId;
}

/**
 * Turns a validated CCR (RFC 4006 §3.1, TS 32.299 §6.4.2) into the typed request of the
 * charging logic. Required AVPs, lengths and enumerated values were checked by the
 * validator; what can still fail here (a value out of range) throws AvpValueError, which the
 * caller answers with 5004 and the AVP in Failed-AVP.
 */
export function decodeCreditControlRequest(avps: Avps, message: DiameterMessage): CreditControlRequest {
  const request: CreditControlRequest = {
    sessionId: '',
    originHost: '',
    originRealm: '',
    destinationRealm: '',
    serviceContextId: '',
    requestType: 'initial',
    requestNumber: 0,
    retransmission: (message.flags & CommandFlags.Retransmitted) !== 0,
    subscriptionIds: [],
    multipleServicesIndicator: false,
    services: [],
    used: [],
  };
  for (const a of message.avps) {
    if (is(a, avps.sessionId)) request.sessionId = readText(a);
    else if (is(a, avps.originHost)) request.originHost = readText(a);
    else if (is(a, avps.originRealm)) request.originRealm = readText(a);
    else if (is(a, avps.destinationRealm)) request.destinationRealm = readText(a);
    else if (is(a, avps.destinationHost)) request.destinationHost = readText(a);
    else if (is(a, avps.serviceContextId)) request.serviceContextId = readText(a);
    else if (is(a, avps.ccRequestType)) {
      const t = REQUEST_TYPES[readInteger32(a)];
      if (!t) throw new AvpValueError(a, 'unknown CC-Request-Type');
      request.requestType = t;
    } else if (is(a, avps.ccRequestNumber)) request.requestNumber = readUnsigned32(a);
    else if (is(a, avps.eventTimestamp)) request.eventTimestamp = readTime(a);
    else if (is(a, avps.subscriptionId)) request.subscriptionIds.push(decodeSubscriptionId(avps, a));
    else if (is(a, avps.userName)) request.userName = readText(a);
    else if (is(a, avps.requestedAction)) request.requestedAction = enumOf(a, REQUESTED_ACTIONS);
    else if (is(a, avps.multipleServicesIndicator))
      request.multipleServicesIndicator = readInteger32(a) === 1;
    else if (is(a, avps.multipleServicesCreditControl)) request.services.push(decodeServiceRequest(avps, a));
    else if (is(a, avps.requestedServiceUnit)) request.requested = decodeUnits(avps, groupMembers(a), {});
    else if (is(a, avps.usedServiceUnit)) request.used.push(decodeUsed(avps, a));
    else if (is(a, avps.serviceIdentifier)) request.serviceIdentifier = readUnsigned32(a);
    else if (is(a, avps.terminationCause)) request.terminationCause = readInteger32(a);
    else if (is(a, avps.refundInformation)) request.refundInformation = readReference(a);
    else if (is(a, avps.serviceInformation)) decodeServiceInformation(avps, a, request);
  }
  return request;
}

function enumOf<T>(a: Avp, values: readonly T[]): T {
  const v = values[readInteger32(a)];
  if (v === undefined) throw new AvpValueError(a, 'value not supported');
  return v;
}

function decodeSubscriptionId(avps: Avps, a: Avp): { type: SubscriptionIdType; data: string } {
  let type: SubscriptionIdType = 'e164';
  let data = '';
  for (const m of groupMembers(a)) {
    if (is(m, avps.subscriptionIdType)) type = enumOf(m, SUBSCRIPTION_ID_TYPES);
    else if (is(m, avps.subscriptionIdData)) data = readText(m);
  }
  return { type, data };
}

function decodeServiceRequest(avps: Avps, a: Avp): ServiceCreditRequest {
  const service: ServiceCreditRequest = { serviceIdentifiers: [], used: [] };
  for (const m of groupMembers(a)) {
    if (is(m, avps.ratingGroup)) service.ratingGroup = readUnsigned32(m);
    else if (is(m, avps.serviceIdentifier)) service.serviceIdentifiers.push(readUnsigned32(m));
    else if (is(m, avps.requestedServiceUnit)) service.requested = decodeUnits(avps, groupMembers(m), {});
    else if (is(m, avps.usedServiceUnit)) service.used.push(decodeUsed(avps, m));
    else if (is(m, avps.reportingReason)) service.reportingReason = readInteger32(m);
    else if (is(m, avps.refundInformation)) service.refundInformation = readReference(m);
  }
  return service;
}

/**
 * Refund-Information (TS 32.299 §7.2.171) is an OctetString this server filled: read byte for
 * byte, so that anything else a client sends is a reference of no charge, not an error here.
 */
function readReference(a: Avp): string {
  return a.data.toString('latin1');
}

function decodeUsed(avps: Avps, a: Avp): UsedServiceUnits {
  const members = groupMembers(a);
  const used: UsedServiceUnits = decodeUnits(avps, members, {});
  for (const m of members) {
    if (is(m, avps.reportingReason)) used.reportingReason = readInteger32(m);
    else if (is(m, avps.tariffChangeUsage)) used.tariffChangeUsage = readInteger32(m);
  }
  return used;
}

function decodeUnits<T extends ServiceUnits>(avps: Avps, members: readonly Avp[], units: T): T {
  for (const m of members) {
    if (is(m, avps.ccTime)) units.time = readUnsigned32(m);
    else if (is(m, avps.ccTotalOctets)) units.totalOctets = readUnsigned64AsNumber(m);
    else if (is(m, avps.ccInputOctets)) units.inputOctets = readUnsigned64AsNumber(m);
    else if (is(m, avps.ccOutputOctets)) units.outputOctets = readUnsigned64AsNumber(m);
    else if (is(m, avps.ccServiceSpecificUnits)) units.serviceSpecificUnits = readUnsigned64AsNumber(m);
    else if (is(m, avps.ccMoney)) units.money = decodeMoney(avps, m);
  }
  return units;
}

function decodeMoney(avps: Avps, a: Avp): NonNullable<ServiceUnits['money']> {
  const money: NonNullable<ServiceUnits['money']> = { valueDigits: 0n, exponent: 0 };
  for (const m of groupMembers(a)) {
    if (is(m, avps.unitValue)) {
      for (const u of groupMembers(m)) {
        if (is(u, avps.valueDigits)) money.valueDigits = readInteger64(u);
        else if (is(u, avps.exponent)) money.exponent = readInteger32(u);
      }
    } else if (is(m, avps.currencyCode)) money.currencyCode = readUnsigned32(m);
  }
  return money;
}

function decodeServiceInformation(avps: Avps, a: Avp, request: CreditControlRequest): void {
  for (const m of groupMembers(a)) {
    if (is(m, avps.imsInformation)) request.ims = decodeIms(avps, m);
    else if (is(m, avps.psInformation)) request.ps = decodePs(avps, m);
  }
}

function decodeIms(avps: Avps, a: Avp): ImsInformation {
  const ims: ImsInformation = { calledPartyAddresses: [] };
  for (const m of groupMembers(a)) {
    if (is(m, avps.callingPartyAddress)) ims.callingPartyAddress ??= readText(m);
    else if (is(m, avps.calledPartyAddress)) ims.calledPartyAddresses.push(readText(m));
    else if (is(m, avps.roleOfNode)) ims.roleOfNode = enumOf(m, ROLES_OF_NODE);
    else if (is(m, avps.nodeFunctionality)) ims.nodeFunctionality = readInteger32(m);
    else if (is(m, avps.userSessionId)) ims.userSessionId = readText(m);
  }
  return ims;
}

function decodePs(avps: Avps, a: Avp): PsInformation {
  const ps: PsInformation = {};
  for (const m of groupMembers(a)) {
    if (is(m, avps.chargingId)) ps.chargingId = m.data;
    else if (is(m, avps.calledStationId)) ps.calledStationId = readText(m);
    else if (is(m, avps.sgsnMccMnc)) ps.sgsnMccMnc = readText(m);
    else if (is(m, avps.ratType)) ps.ratType = m.data;
    else if (is(m, avps.userLocationInfo)) ps.userLocationInfo = m.data;
    else if (is(m, avps.msTimeZone)) ps.msTimeZone = m.data;
  }
  return ps;
}
