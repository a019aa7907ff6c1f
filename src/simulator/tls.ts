import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { SimulatorError } from './error.js';
import type { ClientTlsSpec } from './scenario.js';

type PemField = 'ca' | 'cert' | 'key';

function pem(spec: ClientTlsSpec, field: PemField): Partial<Record<PemField, string>> {
  const path = spec[field];
  if (path === undefined) return {};
  try {
    return { [field]: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new SimulatorError(`peers.server.tls.${field}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * The options of the peers' TLS connections (RFC 6733 §2.1: the handshake comes before the
 * CER), with the scenario's files read once for all of them; undefined over plain TCP.
 */
export function clientTlsOptions(spec: ClientTlsSpec | undefined): ConnectionOptions | undefined {
  if (!spec) return undefined;
  return {
    ...pem(spec, 'ca'),
    ...pem(spec, 'cert'),
    ...pem(spec, 'key'),
    ...(spec.servername !== undefined ? { servername: spec.servername } : {}),
  };
}
