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
import { AvpSwitch } from './avp-switch.js';
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

/**
 * The AVPs this reader knows, each with the number a reader switches on. One set for every
 * level of the CCR: an AVP has the same meaning wherever it may appear.
 */
const F = {
  sessionId: 1,
  originHost: 2,
  originRealm: 3,
  destinationRealm: 4,
  destinationHost: 5,
  serviceContextId: 6,
  ccRequestType: 7,
  ccRequestNumber: 8,
  eventTimestamp: 9,
  subscriptionId: 10,
  userName: 11,
  requestedAction: 12,
  multipleServicesIndicator: 13,
  multipleServicesCreditControl: 14,
  requestedServiceUnit: 15,
  usedServiceUnit: 16,
  serviceIdentifier: 17,
  terminationCause: 18,
  refundInformation: 19,
  serviceInformation: 20,
  subscriptionIdType: 21,
  subscriptionIdData: 22,
  ratingGroup: 23,
  reportingReason: 24,
  tariffChangeUsage: 25,
  ccTime: 26,
  ccTotalOctets: 27,
  ccInputOctets: 28,
  ccOutputOctets: 29,
  ccServiceSpecificUnits: 30,
  ccMoney: 31,
  unitValue: 32,
  valueDigits: 33,
  exponent: 34,
  currencyCode: 35,
  imsInformation: 36,
  psInformation: 37,
  callingPartyAddress: 38,
  calledPartyAddress: 39,
  roleOfNode: 40,
  nodeFunctionality: 41,
  userSessionId: 42,
  chargingId: 43,
  calledStationId: 44,
  sgsnMccMnc: 45,
  ratType: 46,
  userLocationInfo: 47,
  msTimeZone: 48,
} as const satisfies { [K in keyof Avps]?: number };

const switches = new WeakMap<Avps, AvpSwitch>();

/** The switch for one set of resolved AVPs, made on the first CCR read with them. */
function switchFor(avps: Avps): AvpSwitch {
  let known = switches.get(avps);
  if (known === undefined) {
    const entries = Object.entries(F).map(([key, n]) => [avps[key as keyof typeof F], n] as const);
    switches.set(avps, (known = new AvpSwitch(entries)));
  }
  return known;
}

/**
 * Turns a validated CCR (RFC 4006 §3.1, TS 32.299 §6.4.2) into the typed request of the
 * charging logic. Required AVPs, lengths and enumerated values were checked by the
 * validator; what can still fail here (a value out of range) throws AvpValueError, which the
 * caller answers with 5004 and the AVP in Failed-AVP.
 */
export function decodeCreditControlRequest(avps: Avps, message: DiameterMessage): CreditControlRequest {
  const known = switchFor(avps);
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
  const all = message.avps;
  for (let i = 0; i < all.length; i++) {
    const a = all[i]!;
    switch (known.of(a)) {
      case F.sessionId:
        request.sessionId = readText(a);
        break;
      case F.originHost:
        request.originHost = readText(a);
        break;
      case F.originRealm:
        request.originRealm = readText(a);
        break;
      case F.destinationRealm:
        request.destinationRealm = readText(a);
        break;
      case F.destinationHost:
        request.destinationHost = readText(a);
        break;
      case F.serviceContextId:
        request.serviceContextId = readText(a);
        break;
      case F.ccRequestType: {
        const t = REQUEST_TYPES[readInteger32(a)];
        if (!t) throw new AvpValueError(a, 'unknown CC-Request-Type');
        request.requestType = t;
        break;
      }
      case F.ccRequestNumber:
        request.requestNumber = readUnsigned32(a);
        break;
      case F.eventTimestamp:
        request.eventTimestamp = readTime(a);
        break;
      case F.subscriptionId:
        request.subscriptionIds.push(decodeSubscriptionId(known, a));
        break;
      case F.userName:
        request.userName = readText(a);
        break;
      case F.requestedAction:
        request.requestedAction = enumOf(a, REQUESTED_ACTIONS);
        break;
      case F.multipleServicesIndicator:
        request.multipleServicesIndicator = readInteger32(a) === 1;
        break;
      case F.multipleServicesCreditControl:
        request.services.push(decodeServiceRequest(known, a));
        break;
      case F.requestedServiceUnit:
        request.requested = decodeUnits(known, groupMembers(a), {});
        break;
      case F.usedServiceUnit:
        request.used.push(decodeUsed(known, a));
        break;
      case F.serviceIdentifier:
        request.serviceIdentifier = readUnsigned32(a);
        break;
      case F.terminationCause:
        request.terminationCause = readInteger32(a);
        break;
      case F.refundInformation:
        request.refundInformation = readReference(a);
        break;
      case F.serviceInformation:
        decodeServiceInformation(known, a, request);
        break;
    }
  }
  return request;
}

function enumOf<T>(a: Avp, values: readonly T[]): T {
  const v = values[readInteger32(a)];
  if (v === undefined) throw new AvpValueError(a, 'value not supported');
  return v;
}

function decodeSubscriptionId(known: AvpSwitch, a: Avp): { type: SubscriptionIdType; data: string } {
  let type: SubscriptionIdType = 'e164';
  let data = '';
  for (const m of groupMembers(a)) {
    const n = known.of(m);
    if (n === F.subscriptionIdType) type = enumOf(m, SUBSCRIPTION_ID_TYPES);
    else if (n === F.subscriptionIdData) data = readText(m);
  }
  return { type, data };
}

function decodeServiceRequest(known: AvpSwitch, a: Avp): ServiceCreditRequest {
  const service: ServiceCreditRequest = { serviceIdentifiers: [], used: [] };
  for (const m of groupMembers(a)) {
    switch (known.of(m)) {
      case F.ratingGroup:
        service.ratingGroup = readUnsigned32(m);
        break;
      case F.serviceIdentifier:
        service.serviceIdentifiers.push(readUnsigned32(m));
        break;
      case F.requestedServiceUnit:
        service.requested = decodeUnits(known, groupMembers(m), {});
        break;
      case F.usedServiceUnit:
        service.used.push(decodeUsed(known, m));
        break;
      case F.reportingReason:
        service.reportingReason = readInteger32(m);
        break;
      case F.refundInformation:
        service.refundInformation = readReference(m);
        break;
    }
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

function decodeUsed(known: AvpSwitch, a: Avp): UsedServiceUnits {
  const members = groupMembers(a);
  const used: UsedServiceUnits = decodeUnits(known, members, {});
  for (const m of members) {
    const n = known.of(m);
    if (n === F.reportingReason) used.reportingReason = readInteger32(m);
    else if (n === F.tariffChangeUsage) used.tariffChangeUsage = readInteger32(m);
  }
  return used;
}

function decodeUnits<T extends ServiceUnits>(known: AvpSwitch, members: readonly Avp[], units: T): T {
  for (const m of members) {
    switch (known.of(m)) {
      case F.ccTime:
        units.time = readUnsigned32(m);
        break;
      case F.ccTotalOctets:
        units.totalOctets = readUnsigned64AsNumber(m);
        break;
      case F.ccInputOctets:
        units.inputOctets = readUnsigned64AsNumber(m);
        break;
      case F.ccOutputOctets:
        units.outputOctets = readUnsigned64AsNumber(m);
        break;
      case F.ccServiceSpecificUnits:
        units.serviceSpecificUnits = readUnsigned64AsNumber(m);
        break;
      case F.ccMoney:
        units.money = decodeMoney(known, m);
        break;
    }
  }
  return units;
}

function decodeMoney(known: AvpSwitch, a: Avp): NonNullable<ServiceUnits['money']> {
  const money: NonNullable<ServiceUnits['money']> = { valueDigits: 0n, exponent: 0 };
  for (const m of groupMembers(a)) {
    const n = known.of(m);
    if (n === F.unitValue) {
      for (const u of groupMembers(m)) {
        const un = known.of(u);
        if (un === F.valueDigits) money.valueDigits = readInteger64(u);
        else if (un === F.exponent) money.exponent = readInteger32(u);
      }
    } else if (n === F.currencyCode) money.currencyCode = readUnsigned32(m);
  }
  return money;
}

function decodeServiceInformation(known: AvpSwitch, a: Avp, request: CreditControlRequest): void {
  for (const m of groupMembers(a)) {
    const n = known.of(m);
    if (n === F.imsInformation) request.ims = decodeIms(known, m);
    else if (n === F.psInformation) request.ps = decodePs(known, m);
  }
}

function decodeIms(known: AvpSwitch, a: Avp): ImsInformation {
  const ims: ImsInformation = { calledPartyAddresses: [] };
  for (const m of groupMembers(a)) {
    switch (known.of(m)) {
      case F.callingPartyAddress:
        ims.callingPartyAddress ??= readText(m);
        break;
      case F.calledPartyAddress:
        ims.calledPartyAddresses.push(readText(m));
        break;
      case F.roleOfNode:
        ims.roleOfNode = enumOf(m, ROLES_OF_NODE);
        break;
      case F.nodeFunctionality:
        ims.nodeFunctionality = readInteger32(m);
        break;
      case F.userSessionId:
        ims.userSessionId = readText(m);
        break;
    }
  }
  return ims;
}

function decodePs(known: AvpSwitch, a: Avp): PsInformation {
  const ps: PsInformation = {};
  for (const m of groupMembers(a)) {
    switch (known.of(m)) {
      case F.chargingId:
        ps.chargingId = m.data;
        break;
      case F.calledStationId:
        ps.calledStationId = readText(m);
        break;
      case F.sgsnMccMnc:
        ps.sgsnMccMnc = readText(m);
        break;
      case F.ratType:
        ps.ratType = m.data;
        break;
      case F.userLocationInfo:
        ps.userLocationInfo = m.data;
        break;
      case F.msTimeZone:
        ps.msTimeZone = m.data;
        break;
    }
  }
  return ps;
}
