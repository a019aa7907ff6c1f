/**
 * DIAMETER_TLS_*: the files are read and parsed when the configuration is loaded, and every
 * problem names its variable, so that a bad certificate stops the start instead of failing
 * every handshake.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createTestPki, type TestPki } from '../../support/tls-certificates.js';
import { configProblems as problems } from '../../support/config-problems.js';

let pki: TestPki;
let env: Record<string, string>;
beforeAll(() => {
  pki = createTestPki();
  env = {
    DIAMETER_TLS_PORT: '5658',
    DIAMETER_TLS_CERT: pki.server.certFile,
    DIAMETER_TLS_KEY: pki.server.keyFile,
  };
});
afterAll(() => pki?.remove());

describe('the Diameter TLS listener in the configuration', () => {
  it('is off without DIAMETER_TLS_PORT', () => {
    expect(loadConfig({}).diameter.tls).toBeUndefined();
  });

  it('holds the PEM files read at start, the port and the checks', () => {
    const tls = loadConfig({
      ...env,
      DIAMETER_TLS_CA: pki.ca.certFile,
      DIAMETER_TLS_MATCH_ORIGIN_HOST: 'true',
    }).diameter.tls;
    expect(tls).toEqual({
      port: 5658,
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca.cert,
      matchOriginHost: true,
    });
    expect(loadConfig(env).diameter.tls).toMatchObject({ port: 5658, matchOriginHost: false });
    expect(loadConfig(env).diameter.tls?.ca).toBeUndefined();
  });

  it('names an unreadable certificate, key or CA file', () => {
    const missing = join(pki.dir, 'missing.pem');
    expect(problems({ ...env, DIAMETER_TLS_CERT: missing })).toEqual([
      expect.stringMatching(/^DIAMETER_TLS_CERT=".*missing\.pem": cannot be read: ENOENT/),
    ]);
    expect(problems({ ...env, DIAMETER_TLS_KEY: missing })[0]).toMatch(/^DIAMETER_TLS_KEY=.*cannot be read/);
    expect(problems({ ...env, DIAMETER_TLS_CA: pki.dir })[0]).toMatch(/^DIAMETER_TLS_CA=.*cannot be read/);
  });

  it('names a file that holds no PEM certificate or key', () => {
    const text = join(pki.dir, 'not-pem.txt');
    writeFileSync(text, 'hello\n');
    expect(problems({ ...env, DIAMETER_TLS_CERT: text })[0]).toMatch(
      /^DIAMETER_TLS_CERT=.*holds no PEM certificate/,
    );
    expect(problems({ ...env, DIAMETER_TLS_CERT: pki.server.keyFile })[0]).toMatch(
      /^DIAMETER_TLS_CERT=.*holds no PEM certificate/,
    );
    expect(problems({ ...env, DIAMETER_TLS_KEY: pki.server.certFile })[0]).toMatch(
      /^DIAMETER_TLS_KEY=.*is not an unencrypted PEM private key/,
    );
    const broken = join(pki.dir, 'broken.crt');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(problems({ ...env, DIAMETER_TLS_CERT: broken })[0]).toMatch(
      /^DIAMETER_TLS_CERT=.*holds a certificate that cannot be parsed/,
    );
  });

  it('refuses a key that is not the one of the certificate', () => {
    expect(problems({ ...env, DIAMETER_TLS_KEY: pki.ca.keyFile })).toEqual([
      'DIAMETER_TLS_KEY: not the private key of DIAMETER_TLS_CERT',
    ]);
  });

  it('needs the certificate and key with the port, and the port with any of the others', () => {
    expect(problems({ DIAMETER_TLS_PORT: '5658' })).toEqual([
      'DIAMETER_TLS_CERT: required with DIAMETER_TLS_PORT (a PEM certificate file)',
      'DIAMETER_TLS_KEY: required with DIAMETER_TLS_PORT (a PEM private key file)',
    ]);
    expect(problems({ DIAMETER_TLS_CERT: pki.server.certFile })).toEqual([
      'DIAMETER_TLS_CERT: only used with DIAMETER_TLS_PORT, which is unset',
    ]);
  });

  it('needs DIAMETER_TLS_CA for Origin-Host matching, a port apart from TCP, a true or false', () => {
    expect(problems({ ...env, DIAMETER_TLS_MATCH_ORIGIN_HOST: 'true' })).toEqual([
      'DIAMETER_TLS_MATCH_ORIGIN_HOST: needs DIAMETER_TLS_CA, without which peers present no certificate',
    ]);
    expect(problems({ ...env, DIAMETER_PORT: '5658' })[0]).toMatch(/^DIAMETER_TLS_PORT=5658: must differ/);
    expect(problems({ ...env, DIAMETER_TLS_MATCH_ORIGIN_HOST: 'yes' })[0]).toMatch(
      /^DIAMETER_TLS_MATCH_ORIGIN_HOST="yes": must be 'true' or 'false'/,
    );
    expect(problems({ ...env, DIAMETER_TLS_PORT: '70000' })[0]).toMatch(/^DIAMETER_TLS_PORT=.*65535/);
  });
});
