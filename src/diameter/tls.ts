import { checkServerIdentity, createServer, type Server, type TLSSocket } from 'node:tls';

/** The TLS listener beside TCP (RFC 6733 §2.1: Diameter over TLS/TCP has a port of its own). */
export interface DiameterTlsOptions {
  port: number;
  /** PEM: our certificate, followed by its chain. */
  cert: string;
  /** PEM: our private key, unencrypted. */
  key: string;
  /**
   * PEM: the CAs a peer's certificate must chain to. Set, a peer is asked for its certificate
   * and one without a trusted certificate is refused at the handshake: the mutual
   * authentication RFC 6733 §13.1 requires. Unset, only the server is authenticated.
   */
  ca?: string;
  /** A peer's CER Origin-Host must be a name of its certificate (RFC 6733 §13.1, §5.3). */
  matchOriginHost: boolean;
}

/**
 * A peer that connects and never completes its handshake holds a socket that no Diameter
 * watchdog watches yet (RFC 3539 starts once there is a connection to watch): cut it off.
 */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A TLS listener whose connections reach `accept` only once the handshake has succeeded;
 * a handshake that fails (no or untrusted certificate, no common version, timeout) goes to
 * `refused` and the socket is closed by Node. TLS 1.2 is the lowest version offered (Node's
 * default; RFC 8996 retires 1.0 and 1.1, and RFC 7465 the RC4 suites RFC 6733 §13.1 lists).
 */
export function createTlsListener(
  options: DiameterTlsOptions,
  accept: (socket: TLSSocket) => void,
  refused: (err: Error, socket: TLSSocket) => void,
): Server {
  const mutual = options.ca !== undefined;
  const server = createServer(
    {
      cert: options.cert,
      key: options.key,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      requestCert: mutual,
      rejectUnauthorized: mutual,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
    accept,
  );
  server.on('tlsClientError', refused);
  return server;
}

/**
 * Why the peer's certificate does not name this Origin-Host, or undefined when it does. The
 * names are those a TLS client checks a server by (RFC 6125 §6.4): the subjectAltName DNS
 * entries, a wildcard only in the leftmost label, the subject CN only when there is no DNS entry.
 */
export function certificateMismatch(socket: TLSSocket, originHost: string): string | undefined {
  const certificate = socket.getPeerCertificate();
  if (Object.keys(certificate).length === 0) return 'the peer presented no certificate';
  if (checkServerIdentity(originHost, certificate) === undefined) return undefined;
  const names = certificate.subjectaltname ?? `CN=${certificate.subject?.CN ?? ''}`;
  return `Origin-Host ${originHost} is not a name of the peer's certificate (${names})`;
}
