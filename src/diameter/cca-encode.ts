import type {
  CreditControlAnswer,
  FailedAvpName,
  FinalUnitIndication,
  GrantedServiceUnits,
  ServiceCreditAnswer,
} from '../credit-control/types.js';
import { beginAnswer, writeProxyInfo, type LocalIdentity } from './answers.js';
import type { Avps } from './avps.js';
import type { AvpDefinition } from './dictionary.js';
import type { MessageWriter } from './encode.js';
import { findAvp, type Avp, type DiameterMessage } from './message.js';
import { exampleOf } from './validate.js';

const FINAL_UNIT_ACTION = { terminate: 0, redirect: 1, 'restrict-access': 2 } as const;
const REDIRECT_ADDRESS_TYPE = { ipv4: 0, ipv6: 1, url: 2, 'sip-uri': 3 } as const;
const CHECK_BALANCE_RESULT = { 'enough-credit': 0, 'no-credit': 1 } as const;
const CC_FAILURE_HANDLING = { terminate: 0, continue: 1, 'retry-and-terminate': 2 } as const;
const DD_FAILURE_HANDLING = { 'terminate-or-buffer': 0, continue: 1 } as const;

/**
 * Writes the CCA for a request (RFC 4006 §3.2): the request's Session-Id, Auth-Application-Id,
 * CC-Request-Type and CC-Request-Number copied as received, then what the charging logic
 * decided, then the request's Proxy-Info where the CCA grammar puts them. Written straight
 * into one buffer, without an intermediate AVP tree.
 */
export function encodeCreditControlAnswer(
  w: MessageWriter,
  avps: Avps,
  identity: LocalIdentity,
  request: DiameterMessage,
  answer: CreditControlAnswer,
): Buffer {
  beginAnswer(w, avps, identity, request, answer.resultCode, findAvp(request.avps, avps.sessionId.code));
  echo(w, request.avps, avps.authApplicationId);
  echo(w, request.avps, avps.ccRequestType);
  echo(w, request.avps, avps.ccRequestNumber);
  if (answer.granted) writeGranted(w, avps, answer.granted);
  for (const service of answer.services) writeService(w, avps, service);
  if (answer.costInformation) {
    const cost = answer.costInformation;
    w.beginGroup(avps.costInformation);
    w.beginGroup(avps.unitValue)
      .integer64(avps.valueDigits, cost.valueDigits)
      .integer32(avps.exponent, cost.exponent)
      .endGroup();
    w.unsigned32(avps.currencyCode, cost.currencyCode);
    if (cost.costUnit !== undefined) w.text(avps.costUnit, cost.costUnit);
    w.endGroup();
  }
  if (answer.finalUnitIndication) writeFinalUnitIndication(w, avps, answer.finalUnitIndication);
  if (answer.checkBalanceResult)
    w.integer32(avps.checkBalanceResult, CHECK_BALANCE_RESULT[answer.checkBalanceResult]);
  if (answer.creditControlFailureHandling) {
    w.integer32(avps.creditControlFailureHandling, CC_FAILURE_HANDLING[answer.creditControlFailureHandling]);
  }
  if (answer.directDebitingFailureHandling) {
    w.integer32(
      avps.directDebitingFailureHandling,
      DD_FAILURE_HANDLING[answer.directDebitingFailureHandling],
    );
  }
  if (answer.validityTime !== undefined) w.unsigned32(avps.validityTime, answer.validityTime);
  // TS 32.299 puts Refund-Information in the MSCC (§7.1.9); without MSCC it goes at command
  // level, among the AVPs the CCA grammar's `* [ AVP ]` admits (RFC 4006 §3.2).
  if (answer.refundInformation !== undefined) writeReference(w, avps, answer.refundInformation);
  writeProxyInfo(w, avps, request.avps);
  if (answer.errorMessage) w.text(avps.errorMessage, answer.errorMessage);
  if (answer.failedAvp) {
    // RFC 6733 §7.5: the offending AVP as received, or an example of the one that was missing.
    const def = failedAvpDefinition(avps, answer.failedAvp);
    const received = findAvp(request.avps, def.code, def.vendorId);
    w.beginGroup(avps.failedAvp)
      .raw(received ?? exampleOf(def))
      .endGroup();
  }
  return w.finish();
}

/** The request's AVP of this kind, copied as received, when it has one. */
function echo(w: MessageWriter, requestAvps: readonly Avp[], def: AvpDefinition): void {
  const a = findAvp(requestAvps, def.code, def.vendorId);
  if (a) w.raw(a);
}

function failedAvpDefinition(avps: Avps, name: FailedAvpName): AvpDefinition {
  switch (name) {
    case 'Subscription-Id':
      return avps.subscriptionId;
    case 'Requested-Service-Unit':
      return avps.requestedServiceUnit;
    case 'Used-Service-Unit':
      return avps.usedServiceUnit;
    case 'CC-Request-Number':
      return avps.ccRequestNumber;
    case 'Requested-Action':
      return avps.requestedAction;
  }
}

function writeService(w: MessageWriter, avps: Avps, s: ServiceCreditAnswer): void {
  w.beginGroup(avps.multipleServicesCreditControl);
  if (s.granted) writeGranted(w, avps, s.granted);
  for (const id of s.serviceIdentifiers ?? []) w.unsigned32(avps.serviceIdentifier, id);
  if (s.ratingGroup !== undefined) w.unsigned32(avps.ratingGroup, s.ratingGroup);
  if (s.validityTime !== undefined) w.unsigned32(avps.validityTime, s.validityTime);
  w.unsigned32(avps.resultCode, s.resultCode);
  if (s.finalUnitIndication) writeFinalUnitIndication(w, avps, s.finalUnitIndication);
  if (s.timeQuotaThreshold !== undefined) w.unsigned32(avps.timeQuotaThreshold, s.timeQuotaThreshold);
  if (s.volumeQuotaThreshold !== undefined) w.unsigned32(avps.volumeQuotaThreshold, s.volumeQuotaThreshold);
  if (s.unitQuotaThreshold !== undefined) w.unsigned32(avps.unitQuotaThreshold, s.unitQuotaThreshold);
  if (s.quotaHoldingTime !== undefined) w.unsigned32(avps.quotaHoldingTime, s.quotaHoldingTime);
  if (s.refundInformation !== undefined) writeReference(w, avps, s.refundInformation);
  w.endGroup();
}

function writeReference(w: MessageWriter, avps: Avps, reference: string): void {
  w.octets(avps.refundInformation, Buffer.from(reference, 'latin1'));
}

function writeGranted(w: MessageWriter, avps: Avps, g: GrantedServiceUnits): void {
  w.beginGroup(avps.grantedServiceUnit);
  if (g.tariffTimeChange !== undefined) w.time(avps.tariffTimeChange, g.tariffTimeChange);
  if (g.time !== undefined) w.unsigned32(avps.ccTime, g.time);
  if (g.totalOctets !== undefined) w.unsigned64(avps.ccTotalOctets, g.totalOctets);
  if (g.inputOctets !== undefined) w.unsigned64(avps.ccInputOctets, g.inputOctets);
  if (g.outputOctets !== undefined) w.unsigned64(avps.ccOutputOctets, g.outputOctets);
  if (g.serviceSpecificUnits !== undefined) w.unsigned64(avps.ccServiceSpecificUnits, g.serviceSpecificUnits);
  w.endGroup();
}

function writeFinalUnitIndication(w: MessageWriter, avps: Avps, f: FinalUnitIndication): void {
  w.beginGroup(avps.finalUnitIndication);
  w.integer32(avps.finalUnitAction, FINAL_UNIT_ACTION[f.action]);
  for (const rule of f.restrictionFilterRules ?? []) w.text(avps.restrictionFilterRule, rule);
  for (const id of f.filterIds ?? []) w.text(avps.filterId, id);
  if (f.redirect) {
    w.beginGroup(avps.redirectServer);
    w.integer32(avps.redirectAddressType, REDIRECT_ADDRESS_TYPE[f.redirect.addressType]);
    w.text(avps.redirectServerAddress, f.redirect.address);
    w.endGroup();
  }
  w.endGroup();
}
