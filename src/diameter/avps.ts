import type { AvpDefinition, Dictionary } from './dictionary.js';

/**
 * Every AVP the server reads or writes by itself, by dictionary name. Resolved once at start
 * so the hot path uses definitions, not names; a name missing from the dictionaries stops
 * the start (and a unit test) instead of failing on the wire.
 */
export const AVP_NAMES = {
  sessionId: 'Session-Id',
  originHost: 'Origin-Host',
  originRealm: 'Origin-Realm',
  destinationHost: 'Destination-Host',
  destinationRealm: 'Destination-Realm',
  resultCode: 'Result-Code',
  experimentalResult: 'Experimental-Result',
  experimentalResultCode: 'Experimental-Result-Code',
  errorMessage: 'Error-Message',
  errorReportingHost: 'Error-Reporting-Host',
  failedAvp: 'Failed-AVP',
  originStateId: 'Origin-State-Id',
  hostIpAddress: 'Host-IP-Address',
  vendorId: 'Vendor-Id',
  productName: 'Product-Name',
  firmwareRevision: 'Firmware-Revision',
  supportedVendorId: 'Supported-Vendor-Id',
  authApplicationId: 'Auth-Application-Id',
  acctApplicationId: 'Acct-Application-Id',
  vendorSpecificApplicationId: 'Vendor-Specific-Application-Id',
  inbandSecurityId: 'Inband-Security-Id',
  disconnectCause: 'Disconnect-Cause',
  reAuthRequestType: 'Re-Auth-Request-Type',
  proxyInfo: 'Proxy-Info',
  routeRecord: 'Route-Record',
  userName: 'User-Name',
  eventTimestamp: 'Event-Timestamp',
  terminationCause: 'Termination-Cause',
  // RFC 4006 credit control
  serviceContextId: 'Service-Context-Id',
  ccRequestType: 'CC-Request-Type',
  ccRequestNumber: 'CC-Request-Number',
  requestedAction: 'Requested-Action',
  subscriptionId: 'Subscription-Id',
  subscriptionIdType: 'Subscription-Id-Type',
  subscriptionIdData: 'Subscription-Id-Data',
  multipleServicesIndicator: 'Multiple-Services-Indicator',
  multipleServicesCreditControl: 'Multiple-Services-Credit-Control',
  requestedServiceUnit: 'Requested-Service-Unit',
  usedServiceUnit: 'Used-Service-Unit',
  grantedServiceUnit: 'Granted-Service-Unit',
  ccTime: 'CC-Time',
  ccMoney: 'CC-Money',
  ccTotalOctets: 'CC-Total-Octets',
  ccInputOctets: 'CC-Input-Octets',
  ccOutputOctets: 'CC-Output-Octets',
  ccServiceSpecificUnits: 'CC-Service-Specific-Units',
  tariffChangeUsage: 'Tariff-Change-Usage',
  tariffTimeChange: 'Tariff-Time-Change',
  ratingGroup: 'Rating-Group',
  serviceIdentifier: 'Service-Identifier',
  validityTime: 'Validity-Time',
  finalUnitIndication: 'Final-Unit-Indication',
  finalUnitAction: 'Final-Unit-Action',
  restrictionFilterRule: 'Restriction-Filter-Rule',
  filterId: 'Filter-Id',
  redirectServer: 'Redirect-Server',
  redirectAddressType: 'Redirect-Address-Type',
  redirectServerAddress: 'Redirect-Server-Address',
  costInformation: 'Cost-Information',
  unitValue: 'Unit-Value',
  valueDigits: 'Value-Digits',
  exponent: 'Exponent',
  currencyCode: 'Currency-Code',
  costUnit: 'Cost-Unit',
  checkBalanceResult: 'Check-Balance-Result',
  creditControlFailureHandling: 'Credit-Control-Failure-Handling',
  directDebitingFailureHandling: 'Direct-Debiting-Failure-Handling',
  ccSessionFailover: 'CC-Session-Failover',
  userEquipmentInfo: 'User-Equipment-Info',
  // 3GPP TS 32.299
  serviceInformation: 'Service-Information',
  imsInformation: 'IMS-Information',
  psInformation: 'PS-Information',
  callingPartyAddress: 'Calling-Party-Address',
  calledPartyAddress: 'Called-Party-Address',
  roleOfNode: 'Role-Of-Node',
  nodeFunctionality: 'Node-Functionality',
  userSessionId: 'User-Session-Id',
  reportingReason: 'Reporting-Reason',
  quotaHoldingTime: 'Quota-Holding-Time',
  timeQuotaThreshold: 'Time-Quota-Threshold',
  volumeQuotaThreshold: 'Volume-Quota-Threshold',
  unitQuotaThreshold: 'Unit-Quota-Threshold',
  calledStationId: 'Called-Station-Id',
  chargingId: '3GPP-Charging-Id',
  sgsnMccMnc: '3GPP-SGSN-MCC-MNC',
  ratType: '3GPP-RAT-Type',
  userLocationInfo: '3GPP-User-Location-Info',
  msTimeZone: '3GPP-MS-TimeZone',
  refundInformation: 'Refund-Information',
} as const;

export type Avps = { readonly [K in keyof typeof AVP_NAMES]: AvpDefinition };

export function resolveAvps(dict: Dictionary): Avps {
  const out: Record<string, AvpDefinition> = {};
  for (const [key, name] of Object.entries(AVP_NAMES)) out[key] = dict.avpByName(name);
  return out as Avps;
}

/** Application ids and vendor ids the server announces (RFC 6733 §2.4, RFC 4006 §1). */
export const APPLICATION = { COMMON: 0, CREDIT_CONTROL: 4, RELAY: 0xffffffff } as const;
export const VENDOR_3GPP = 10415;

/** Command codes (RFC 6733 §3.1, RFC 4006 §3). */
export const COMMAND = {
  CAPABILITIES_EXCHANGE: 257,
  RE_AUTH: 258,
  ACCOUNTING: 271,
  CREDIT_CONTROL: 272,
  ABORT_SESSION: 274,
  SESSION_TERMINATION: 275,
  DEVICE_WATCHDOG: 280,
  DISCONNECT_PEER: 282,
} as const;
