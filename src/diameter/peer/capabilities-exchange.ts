import type { Logger } from '../../logging.js';
import { APPLICATION, COMMAND, VENDOR_3GPP } from '../avps.js';
import { commonApplications, decodeCapabilities, type CapabilitiesRequest } from '../capabilities.js';
import { ResultCode } from '../../errors/result-codes.js';
import type { Avp, DiameterMessage, MessageHeader } from '../message.js';
import type { AnswerSender } from './answer-sender.js';
import type { PeerOptions } from './options.js';

export interface CapabilitiesExchange {
  replies: AnswerSender;
  options: PeerOptions;
  log: Logger;
  /** Our address on this connection, announced as Host-IP-Address. */
  localAddress: string | undefined;
  /** The peer's address, which the allow-list may bind its identity to. */
  remoteIp: string | undefined;
}

export function isCapabilitiesExchange(header: MessageHeader): boolean {
  return header.commandCode === COMMAND.CAPABILITIES_EXCHANGE && header.applicationId === APPLICATION.COMMON;
}

/** RFC 6733 §5.6: nothing but a CER is served before the capabilities exchange. */
export function refuseBeforeCapabilities(
  replies: AnswerSender,
  header: MessageHeader,
  avps: readonly Avp[],
): void {
  replies.reject(
    { ...header, avps, raw: Buffer.alloc(0) },
    { resultCode: ResultCode.UNKNOWN_PEER, reason: 'capabilities exchange (CER) must come first' },
  );
}

/**
 * Answers a peer's CER (RFC 6733 §5.3): refused with 3010 for a peer outside the allow-list
 * or, over TLS, one whose certificate does not name its Origin-Host; 5010 when we share no
 * application; else a CEA announcing ours. Returns the peer's capabilities when it is
 * accepted; undefined when refused, and the connection is to close.
 */
export function exchangeCapabilities(
  cer: DiameterMessage,
  exchange: CapabilitiesExchange,
): CapabilitiesRequest | undefined {
  const { replies, options, log } = exchange;
  if (!replies.validate(cer)) return undefined;
  const offer = decodeCapabilities(options.avps, cer.avps);
  const { allowList, applicationIds } = options;
  const notAllowed = allowList.refusal(offer.originHost, exchange.remoteIp);
  if (notAllowed !== undefined) {
    log.warn({ originHost: offer.originHost, reason: notAllowed }, 'peer not in the allow-list; refused');
    replies.answer(cer, cer.avps, capabilitiesAnswer(cer, exchange, ResultCode.UNKNOWN_PEER, notAllowed));
    return undefined;
  }
  // RFC 6733 §13.1: the identity TLS authenticated is the certificate's; a CER claiming
  // another is a peer we do not know, refused as §5.3 refuses one (3010, then closed).
  const mismatch = options.certificateMismatch?.(offer.originHost);
  if (mismatch !== undefined) {
    log.warn(
      { originHost: offer.originHost, reason: mismatch },
      'Origin-Host not in the certificate; refused',
    );
    replies.answer(cer, cer.avps, capabilitiesAnswer(cer, exchange, ResultCode.UNKNOWN_PEER, mismatch));
    return undefined;
  }
  const common = commonApplications(offer, applicationIds);
  if (common.length === 0) {
    log.warn(
      { originHost: offer.originHost, offered: offer.authApplicationIds },
      'no common application; refused',
    );
    replies.answer(
      cer,
      cer.avps,
      capabilitiesAnswer(cer, exchange, ResultCode.NO_COMMON_APPLICATION, 'no common application'),
    );
    return undefined;
  }
  log.info(capabilitiesLog(offer), 'peer open');
  replies.answer(cer, cer.avps, capabilitiesAnswer(cer, exchange, ResultCode.SUCCESS));
  return offer;
}

/** RFC 6733 §5.3.2 Capabilities-Exchange-Answer. */
function capabilitiesAnswer(
  request: DiameterMessage,
  exchange: CapabilitiesExchange,
  resultCode: number,
  reason?: string,
): Buffer {
  const { avps, identity, applicationIds } = exchange.options;
  const w = exchange.replies.beginAnswer(request, resultCode);
  w.address(avps.hostIpAddress, normaliseLocalAddress(exchange.localAddress));
  w.unsigned32(avps.vendorId, identity.vendorId);
  w.text(avps.productName, identity.productName);
  w.unsigned32(avps.originStateId, identity.originStateId);
  w.unsigned32(avps.supportedVendorId, VENDOR_3GPP);
  for (const id of applicationIds) w.unsigned32(avps.authApplicationId, id);
  w.unsigned32(avps.firmwareRevision, identity.firmwareRevision);
  if (reason) w.text(avps.errorMessage, reason);
  return w.finish();
}

function capabilitiesLog(cer: CapabilitiesRequest): Record<string, unknown> {
  return {
    originHost: cer.originHost,
    originRealm: cer.originRealm,
    productName: cer.productName,
    applications: cer.authApplicationIds,
  };
}

/** A socket's local address as an IP for Host-IP-Address (IPv4-mapped IPv6 shown as IPv4). */
function normaliseLocalAddress(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
