/**
 * The credit-control request and answer as the charging logic sees them: decoded at the
 * Diameter edge (src/diameter), so nothing past it handles AVPs. Names follow RFC 4006 and
 * TS 32.299; amounts are integers.
 */

export type RequestType = 'initial' | 'update' | 'termination' | 'event';

/** RFC 4006 §8.47 Subscription-Id-Type. */
export type SubscriptionIdType = 'e164' | 'imsi' | 'sip-uri' | 'nai' | 'private';

export interface SubscriptionId {
  type: SubscriptionIdType;
  data: string;
}

/** RFC 4006 §8.41 Requested-Action (CCR-Event only). */
export type RequestedAction = 'direct-debiting' | 'refund-account' | 'check-balance' | 'price-enquiry';

/** RFC 4006 §8.18-8.21: the units of a Requested-, Granted- or Used-Service-Unit. */
export interface ServiceUnits {
  /** CC-Time, seconds. */
  time?: number;
  totalOctets?: number;
  inputOctets?: number;
  outputOctets?: number;
  serviceSpecificUnits?: number;
  /** CC-Money as Unit-Value (value digits × 10^exponent) in ISO 4217 Currency-Code. */
  money?: { valueDigits: bigint; exponent: number; currencyCode?: number };
}

export interface UsedServiceUnits extends ServiceUnits {
  /** TS 32.299 Reporting-Reason inside Used-Service-Unit. */
  reportingReason?: number;
  /** RFC 4006 §8.27 Tariff-Change-Usage. */
  tariffChangeUsage?: number;
}

/** One Multiple-Services-Credit-Control of a request (RFC 4006 §8.16). */
export interface ServiceCreditRequest {
  ratingGroup?: number;
  serviceIdentifiers: number[];
  /** Present when the MSCC had a Requested-Service-Unit, even an empty one (ask for the default quota). */
  requested?: ServiceUnits;
  used: UsedServiceUnits[];
  /** TS 32.299 Reporting-Reason at MSCC level. */
  reportingReason?: number;
  /** TS 32.299 §7.2.171 Refund-Information: the charge a REFUND_ACCOUNT gives back (§7.1.9). */
  refundInformation?: string;
}

/** TS 32.299 Role-Of-Node. */
export type RoleOfNode = 'originating' | 'terminating' | 'proxy' | 'b2bua';

export interface ImsInformation {
  callingPartyAddress?: string;
  calledPartyAddresses: string[];
  roleOfNode?: RoleOfNode;
  nodeFunctionality?: number;
  userSessionId?: string;
}

export interface PsInformation {
  chargingId?: Buffer;
  calledStationId?: string;
  /** 3GPP-SGSN-MCC-MNC (TS 29.061 §16.4.7.2): the serving network, MCC and MNC digits. */
  sgsnMccMnc?: string;
  ratType?: Buffer;
  userLocationInfo?: Buffer;
  msTimeZone?: Buffer;
}

export interface CreditControlRequest {
  sessionId: string;
  /**
   * The Diameter identity of the connected peer that sent the request, as its capabilities
   * exchange established it (the Origin-Host of a relayed request may be another node's).
   */
  peer?: string;
  /**
   * Wall-clock time (ms) past which the balance store may no longer charge for this request:
   * set by the charging service as it takes the request (src/credit-control/deadline.ts).
   */
  deadlineMs?: number;
  originHost: string;
  originRealm: string;
  destinationRealm: string;
  destinationHost?: string;
  serviceContextId: string;
  requestType: RequestType;
  requestNumber: number;
  /** The T bit: the client may have sent this request before (RFC 6733 §3). */
  retransmission: boolean;
  eventTimestamp?: Date;
  subscriptionIds: SubscriptionId[];
  userName?: string;
  requestedAction?: RequestedAction;
  multipleServicesIndicator: boolean;
  services: ServiceCreditRequest[];
  /** Single-service credit control (RFC 4006 §5.1.1): units at command level. */
  requested?: ServiceUnits;
  used: UsedServiceUnits[];
  serviceIdentifier?: number;
  terminationCause?: number;
  /** Refund-Information at command level, for a request without MSCC. */
  refundInformation?: string;
  ims?: ImsInformation;
  ps?: PsInformation;
}

/** RFC 4006 §8.35 Final-Unit-Action. */
export type FinalUnitAction = 'terminate' | 'redirect' | 'restrict-access';

/** RFC 4006 §8.38 Redirect-Address-Type. */
export type RedirectAddressType = 'ipv4' | 'ipv6' | 'url' | 'sip-uri';

export interface FinalUnitIndication {
  action: FinalUnitAction;
  redirect?: { addressType: RedirectAddressType; address: string };
  restrictionFilterRules?: string[];
  filterIds?: string[];
}

export interface GrantedServiceUnits {
  /** RFC 4006 §8.20: when the tariff changes within this grant. */
  tariffTimeChange?: Date;
  time?: number;
  totalOctets?: number;
  inputOctets?: number;
  outputOctets?: number;
  serviceSpecificUnits?: number;
}

/** One Multiple-Services-Credit-Control of an answer, with its own Result-Code. */
export interface ServiceCreditAnswer {
  ratingGroup?: number;
  serviceIdentifiers?: number[];
  resultCode: number;
  granted?: GrantedServiceUnits;
  validityTime?: number;
  finalUnitIndication?: FinalUnitIndication;
  quotaHoldingTime?: number;
  timeQuotaThreshold?: number;
  volumeQuotaThreshold?: number;
  unitQuotaThreshold?: number;
  /** TS 32.299 §7.2.171 Refund-Information: the reference of the charge this service made. */
  refundInformation?: string;
}

/** RFC 4006 §8.7 Cost-Information: value digits × 10^exponent in an ISO 4217 currency. */
export interface CostInformation {
  valueDigits: number;
  exponent: number;
  currencyCode: number;
  costUnit?: string;
}

/** RFC 4006 §8.14 and §8.15. */
export type FailureHandling = 'terminate' | 'continue' | 'retry-and-terminate';

export interface CreditControlAnswer {
  resultCode: number;
  services: ServiceCreditAnswer[];
  /** Single-service grant at command level. */
  granted?: GrantedServiceUnits;
  validityTime?: number;
  finalUnitIndication?: FinalUnitIndication;
  costInformation?: CostInformation;
  checkBalanceResult?: 'enough-credit' | 'no-credit';
  creditControlFailureHandling?: FailureHandling;
  directDebitingFailureHandling?: 'terminate-or-buffer' | 'continue';
  /** Refund-Information of a charge at command level (no MSCC). */
  refundInformation?: string;
  /** For people reading a trace; short. */
  errorMessage?: string;
  /**
   * The AVP a 5xxx answer is about, reported in Failed-AVP (RFC 6733 §7.5): as received when
   * the request had it (5004), or as an example when it was missing (5005).
   */
  failedAvp?: FailedAvpName;
}

/** AVPs the charging logic can name in Failed-AVP. */
export type FailedAvpName =
  | 'Subscription-Id'
  | 'Requested-Service-Unit'
  | 'Used-Service-Unit'
  | 'CC-Request-Number'
  | 'Requested-Action';

/** What the Diameter edge calls for every valid CCR. */
export interface CreditControlService {
  handle(request: CreditControlRequest): Promise<CreditControlAnswer>;
}
