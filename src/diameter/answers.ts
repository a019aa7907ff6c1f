import type { Avps } from './avps.js';
import type { AvpDefinition } from './dictionary.js';
import { MessageWriter } from './encode.js';
import { CommandFlags, HEADER_LENGTH, findAvp, type Avp, type MessageHeader } from './message.js';
import { isProtocolError } from '../errors/result-codes.js';
import { checkValue } from './avp-value.js';

function wellFormed(avp: Avp, def: AvpDefinition): boolean {
  try {
    checkValue(avp, def.type);
    return true;
  } catch {
    return false;
  }
}

/** Who we are on the wire: what every answer and CEA carries (RFC 6733 §5.3.2, §6.2). */
export interface LocalIdentity {
  originHost: string;
  originRealm: string;
  /** RFC 6733 §8.16: changes on every restart so peers can tell our sessions were lost. */
  originStateId: number;
  productName: string;
  vendorId: number;
  firmwareRevision: number;
}

export interface ErrorDetail {
  resultCode: number;
  reason: string;
  failedAvp?: Avp | undefined;
}

/**
 * Starts an answer to `request`: same command, application and ids, P bit copied, R bit
 * clear (RFC 6733 §6.2), E bit when the result is a protocol error; then Session-Id (when
 * the request had one), Origin-Host, Origin-Realm and Result-Code. The caller adds the rest.
 */
export function beginAnswer(
  w: MessageWriter,
  avps: Avps,
  identity: LocalIdentity,
  request: MessageHeader,
  resultCode: number,
  sessionId: Avp | undefined,
): MessageWriter {
  w.begin({
    flags: (request.flags & CommandFlags.Proxiable) | (isProtocolError(resultCode) ? CommandFlags.Error : 0),
    commandCode: request.commandCode,
    applicationId: request.applicationId,
    hopByHop: request.hopByHop,
    endToEnd: request.endToEnd,
  });
  if (sessionId) w.raw(sessionId);
  w.bytes(originAvps(avps, identity));
  w.unsigned32(avps.resultCode, resultCode);
  return w;
}

interface EncodedOrigin {
  readonly avps: Avps;
  readonly originHost: string;
  readonly originRealm: string;
  readonly bytes: Buffer;
}

const encodedOrigins = new WeakMap<LocalIdentity, EncodedOrigin>();

/**
 * Origin-Host and Origin-Realm, the same in every answer of a server: encoded once, then
 * copied. Encoded again should the identity's names change.
 */
function originAvps(avps: Avps, identity: LocalIdentity): Buffer {
  const known = encodedOrigins.get(identity);
  if (
    known !== undefined &&
    known.avps === avps &&
    known.originHost === identity.originHost &&
    known.originRealm === identity.originRealm
  ) {
    return known.bytes;
  }
  const message = new MessageWriter()
    .begin({ flags: 0, commandCode: 0, applicationId: 0, hopByHop: 0, endToEnd: 0 })
    .text(avps.originHost, identity.originHost)
    .text(avps.originRealm, identity.originRealm)
    .finish();
  const encoded: EncodedOrigin = {
    avps,
    originHost: identity.originHost,
    originRealm: identity.originRealm,
    bytes: message.subarray(HEADER_LENGTH),
  };
  encodedOrigins.set(identity, encoded);
  return encoded.bytes;
}

/**
 * RFC 6733 §6.2: every Proxy-Info of the request goes back in its answer, unchanged and in the
 * order received, so that each proxy on the way back finds the state it left there (§6.7.3,
 * §6.7.4). `except` is a Proxy-Info that could not be read, which goes in Failed-AVP instead.
 */
export function writeProxyInfo(
  w: MessageWriter,
  avps: Avps,
  requestAvps: readonly Avp[],
  except?: Avp,
): void {
  const { code, vendorId } = avps.proxyInfo;
  for (const a of requestAvps) {
    if (a.code === code && a.vendorId === vendorId && a !== except) w.raw(a);
  }
}

/**
 * An answer that reports an error (RFC 6733 §7.2 answer-message for 3xxx; for 5xxx the
 * command's own answer, to which `echo` copies AVPs the answer grammar requires, e.g. the
 * CC-Request-Type and CC-Request-Number of a CCA). Error-Message carries the reason for people.
 * Proxy-Info goes where each grammar puts it: after Failed-AVP in answer-message, before it in
 * a CCA (RFC 4006 §3.2).
 */
export function encodeErrorAnswer(
  w: MessageWriter,
  avps: Avps,
  identity: LocalIdentity,
  request: MessageHeader,
  requestAvps: readonly Avp[],
  error: ErrorDetail,
  echo: readonly AvpDefinition[] = [],
): Buffer {
  const sessionId = findAvp(requestAvps, avps.sessionId.code);
  beginAnswer(
    w,
    avps,
    identity,
    request,
    error.resultCode,
    sessionId && wellFormed(sessionId, avps.sessionId) ? sessionId : undefined,
  );
  const protocolError = isProtocolError(error.resultCode);
  if (!protocolError) {
    for (const def of echo) {
      const a = findAvp(requestAvps, def.code, def.vendorId);
      // A malformed AVP belongs in Failed-AVP only, never copied into the answer itself.
      if (a && wellFormed(a, def)) w.raw(a);
    }
    writeProxyInfo(w, avps, requestAvps, error.failedAvp);
  }
  w.text(avps.errorMessage, error.reason.slice(0, 200));
  if (error.failedAvp) {
    w.beginGroup(avps.failedAvp);
    w.raw(error.failedAvp);
    w.endGroup();
  }
  if (protocolError) writeProxyInfo(w, avps, requestAvps, error.failedAvp);
  return w.finish();
}
