import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import type { DiameterTlsOptions } from '../diameter/tls.js';

/**
 * DIAMETER_TLS_*: the TLS listener's port and PEM files. Each file is read and parsed here, at
 * start, so that a missing file, a bad PEM or a key that is not the certificate's stops the
 * start with the variable's name instead of failing every handshake later.
 */

interface CertificateFile {
  pem: string;
  certificates: X509Certificate[];
}

interface KeyFile {
  pem: string;
  key: KeyObject;
}

type Context = z.RefinementCtx;

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readText(path: string, ctx: Context): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `cannot be read: ${(err as Error).message}` });
    return undefined;
  }
}

function certificateFile(what: string) {
  return z.string().transform((path, ctx): CertificateFile => {
    const pem = readText(path, ctx);
    if (pem === undefined) return z.NEVER;
    const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${what}`,
      });
      return z.NEVER;
    }
    try {
      return { pem, certificates: blocks.map((b) => new X509Certificate(b)) };
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `holds a certificate that cannot be parsed: ${(err as Error).message}`,
      });
      return z.NEVER;
    }
  });
}

const keyFile = z.string().transform((path, ctx): KeyFile => {
  const pem = readText(path, ctx);
  if (pem === undefined) return z.NEVER;
  try {
    return { pem, key: createPrivateKey({ key: pem, format: 'pem' }) };
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `is not an unencrypted PEM private key: ${(err as Error).message}`,
    });
    return z.NEVER;
  }
});

/** The variables for the configuration's schema, each optional on its own; `port` as DIAMETER_PORT's. */
export function diameterTlsVariables(port: z.ZodType<number>) {
  return {
    DIAMETER_TLS_PORT: port.optional(),
    DIAMETER_TLS_CERT: certificateFile('the server certificate, then its chain').optional(),
    DIAMETER_TLS_KEY: keyFile.optional(),
    DIAMETER_TLS_CA: certificateFile("the CAs that sign the peers' certificates").optional(),
    DIAMETER_TLS_MATCH_ORIGIN_HOST: z
      .enum(['true', 'false'], { message: "must be 'true' or 'false'" })
      .transform((v) => v === 'true')
      .optional(),
  };
}

interface Parsed {
  DIAMETER_PORT: number;
  DIAMETER_TLS_PORT?: number | undefined;
  DIAMETER_TLS_CERT?: CertificateFile | undefined;
  DIAMETER_TLS_KEY?: KeyFile | undefined;
  DIAMETER_TLS_CA?: CertificateFile | undefined;
  DIAMETER_TLS_MATCH_ORIGIN_HOST?: boolean | undefined;
}

/**
 * The TLS listener the variables describe (undefined without DIAMETER_TLS_PORT), or the
 * problems of their combination, each naming its variable.
 */
export function diameterTls(e: Parsed): { options: DiameterTlsOptions | undefined; problems: string[] } {
  const { DIAMETER_TLS_PORT: tlsPort, DIAMETER_TLS_CERT: cert, DIAMETER_TLS_KEY: key } = e;
  const { DIAMETER_TLS_CA: ca, DIAMETER_TLS_MATCH_ORIGIN_HOST: matchOriginHost } = e;
  const problems: string[] = [];
  if (tlsPort === undefined) {
    for (const [name, value] of Object.entries(e)) {
      if (name.startsWith('DIAMETER_TLS_') && value !== undefined)
        problems.push(`${name}: only used with DIAMETER_TLS_PORT, which is unset`);
    }
    return { options: undefined, problems };
  }
  if (tlsPort !== 0 && tlsPort === e.DIAMETER_PORT)
    problems.push(`DIAMETER_TLS_PORT=${tlsPort}: must differ from DIAMETER_PORT (TCP and TLS listen apart)`);
  if (!cert) problems.push('DIAMETER_TLS_CERT: required with DIAMETER_TLS_PORT (a PEM certificate file)');
  if (!key) problems.push('DIAMETER_TLS_KEY: required with DIAMETER_TLS_PORT (a PEM private key file)');
  if (matchOriginHost && !ca)
    problems.push(
      'DIAMETER_TLS_MATCH_ORIGIN_HOST: needs DIAMETER_TLS_CA, without which peers present no certificate',
    );
  if (!cert || !key || problems.length > 0) return { options: undefined, problems };
  if (!cert.certificates[0]!.checkPrivateKey(key.key))
    return { options: undefined, problems: ['DIAMETER_TLS_KEY: not the private key of DIAMETER_TLS_CERT'] };
  const validTo = cert.certificates[0]!.validTo;
  if (Date.parse(validTo) < Date.now())
    return { options: undefined, problems: [`DIAMETER_TLS_CERT: the certificate expired on ${validTo}`] };
  const options: DiameterTlsOptions = {
    port: tlsPort,
    cert: cert.pem,
    key: key.pem,
    ...(ca ? { ca: ca.pem } : {}),
    matchOriginHost: matchOriginHost ?? false,
  };
  try {
    createSecureContext(options);
  } catch (err) {
    return {
      options: undefined,
      problems: [`DIAMETER_TLS_CERT: unusable with its key: ${(err as Error).message}`],
    };
  }
  return { options, problems };
}
