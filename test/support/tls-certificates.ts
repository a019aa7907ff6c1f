/**
 * Certificates made for one test run with the `openssl` command (Node cannot issue X.509
 * certificates itself): a CA, certificates it signs for the server and for client peers, and
 * one from another CA that the server does not trust. EC P-256 keys, valid for two days, in a
 * temporary directory that `remove()` deletes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as files and as PEM text. */
export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  ca: Issued;
  /** Signed by `ca` for `ocs.localdomain` and 127.0.0.1. */
  server: Issued;
  /** Issues a certificate signed by `ca` (or by a CA of its own when `untrusted`). */
  issue(name: string, names: { dns?: string[]; cn?: string; untrusted?: boolean }): Issued;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error('the TLS tests need the openssl command: apt-get install openssl', { cause: err });
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
}

function files(dir: string, name: string): Issued {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function selfSignedCa(dir: string, name: string): Issued {
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return files(dir, name);
}

function signed(dir: string, name: string, ca: string, cn: string, altNames: string[]): Issued {
  openssl(dir, [
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  const extensions = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth,clientAuth',
    ...(altNames.length > 0 ? [`subjectAltName=${altNames.join(',')}`] : []),
  ];
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
  return files(dir, name);
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ocs-tls-'));
  const ca = selfSignedCa(dir, 'test-ca');
  let otherCa: Issued | undefined;
  return {
    dir,
    ca,
    server: signed(dir, 'server', 'test-ca', 'ocs.localdomain', ['DNS:ocs.localdomain', 'IP:127.0.0.1']),
    issue(name, names) {
      if (names.untrusted) otherCa ??= selfSignedCa(dir, 'other-ca');
      const dns = names.dns ?? [];
      return signed(
        dir,
        name,
        names.untrusted ? 'other-ca' : 'test-ca',
        names.cn ?? dns[0] ?? name,
        dns.map((d) => `DNS:${d}`),
      );
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
