/**
 * Diameter over TLS (RFC 6733 §2.1, §13.1) beside TCP, on a real server and Redis over
 * loopback, with certificates issued for this run: credit control over TLS, the TCP port
 * still serving, client certificates required and checked against DIAMETER_TLS_CA, and a
 * CER whose Origin-Host is not its certificate's answered 3010 and the connection closed.
 */
import type { ConnectionOptions } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestPeer } from '../../support/diameter-peer.js';
import {
  CONTEXT,
  CcSession,
  MiB,
  mscc,
  octets,
  startOcs,
  type OcsFixture,
} from '../../support/ocs-fixture.js';
import { createTestPki, type Issued, type TestPki } from '../../support/tls-certificates.js';

let pki: TestPki;
/** DIAMETER_TLS_CERT and _KEY only: the server is authenticated, peers are not asked. */
let serverOnly: OcsFixture;
/** With DIAMETER_TLS_CA and DIAMETER_TLS_MATCH_ORIGIN_HOST: mutual, names checked. */
let mutual: OcsFixture;
let pcef: Issued;

beforeAll(async () => {
  pki = createTestPki();
  pcef = pki.issue('pcef', { dns: ['pcef.test.example'] });
  const tlsEnv = {
    DIAMETER_TLS_PORT: '0',
    DIAMETER_TLS_CERT: pki.server.certFile,
    DIAMETER_TLS_KEY: pki.server.keyFile,
  };
  serverOnly = await startOcs({ env: tlsEnv });
  mutual = await startOcs({
    env: { ...tlsEnv, DIAMETER_TLS_CA: pki.ca.certFile, DIAMETER_TLS_MATCH_ORIGIN_HOST: 'true' },
  });
});

afterAll(async () => {
  await Promise.all([serverOnly?.close(), mutual?.close()]);
  pki?.remove();
});

const opened: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

/** A peer to the fixture's TLS port that trusts the test CA and checks the server's name. */
function tlsPeer(ocs: OcsFixture, client?: Issued, originHost = 'pcef.test.example'): TestPeer {
  const tls: ConnectionOptions = {
    ca: pki.ca.cert,
    servername: 'ocs.localdomain',
    ...(client ? { cert: client.cert, key: client.key } : {}),
  };
  const peer = new TestPeer(ocs.server.diameterTlsPort!, tls);
  peer.originHost = originHost;
  opened.push(peer);
  return peer;
}

async function scrape(ocs: OcsFixture): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${ocs.server.httpPort}/metrics`);
  return response.text();
}

function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** CCR-I asking 2 MiB then CCR-T using them on `peer`: RG 10 costs 0.30 per MiB, so 60. */
async function chargeTwoMiB(ocs: OcsFixture, peer: TestPeer, msisdn: string): Promise<void> {
  const session = new CcSession(ocs, CONTEXT.data, msisdn, [], peer);
  const initial = await session.initial([mscc(10, { rsu: [octets(2 * MiB)] })]);
  expect(initial.get('Result-Code')).toBe(2001);
  const terminated = await session.terminate([mscc(10, { usu: [[octets(2 * MiB)]] })]);
  expect(terminated.get('Result-Code')).toBe(2001);
}

/** True when the server ends the connection without having served a CER. */
async function refusedAtHandshake(peer: TestPeer): Promise<boolean> {
  // TLS 1.2 fails the handshake itself; in TLS 1.3 the client's side completes first and the
  // server's alert then closes the connection.
  const connected = await peer.connect().then(
    () => true,
    () => false,
  );
  return !connected || (await peer.whenClosed(3000));
}

describe('Diameter over TLS beside TCP', () => {
  it('serves CER/CEA and a charged CCR-I/T over TLS while the TCP port keeps serving', async () => {
    const peer = tlsPeer(serverOnly);
    const cea = await peer.open();
    expect(cea.get('Result-Code')).toBe(2001);
    expect(cea.get('Origin-Host')).toBe('ocs.localdomain');

    const overTls = await serverOnly.account({ balance: 10_000 });
    const overTcp = await serverOnly.account({ balance: 10_000 });
    await Promise.all([
      chargeTwoMiB(serverOnly, peer, overTls),
      chargeTwoMiB(serverOnly, serverOnly.peer, overTcp),
    ]);
    for (const msisdn of [overTls, overTcp]) {
      expect(await serverOnly.balance(msisdn)).toMatchObject({ available: 9_940, reserved: 0, spent: 60 });
    }

    const metrics = await scrape(serverOnly);
    expect(sample(metrics, 'ocs_diameter_peers', '{state="open",transport="tls"}')).toBe(1);
    expect(sample(metrics, 'ocs_diameter_peers', '{state="open",transport="tcp"}')).toBe(1);
  });

  it('refuses a client that does not trust the server certificate, and says so in the metric', async () => {
    const before = sample(await scrape(serverOnly), 'ocs_diameter_tls_handshake_failures_total');
    const stranger = new TestPeer(serverOnly.server.diameterTlsPort!, {
      ca: pki.issue('stranger-ca-user', { untrusted: true }).cert,
      servername: 'ocs.localdomain',
    });
    opened.push(stranger);
    await expect(stranger.connect()).rejects.toThrow(/certificate/);
    await expect
      .poll(async () => sample(await scrape(serverOnly), 'ocs_diameter_tls_handshake_failures_total'))
      .toBe(before + 1);
  });
});

describe('with DIAMETER_TLS_CA: client certificates required and checked', () => {
  it('refuses at the handshake a client without a certificate', async () => {
    const before = sample(await scrape(mutual), 'ocs_diameter_tls_handshake_failures_total');
    expect(await refusedAtHandshake(tlsPeer(mutual))).toBe(true);
    await expect
      .poll(async () => sample(await scrape(mutual), 'ocs_diameter_tls_handshake_failures_total'))
      .toBe(before + 1);
    expect(mutual.server.diameterTlsPort).toBeGreaterThan(0);
  });

  it('refuses at the handshake a certificate another CA signed', async () => {
    const forged = pki.issue('forged', { dns: ['pcef.test.example'], untrusted: true });
    expect(await refusedAtHandshake(tlsPeer(mutual, forged))).toBe(true);
  });

  it('serves a peer whose certificate the CA signed and names its Origin-Host', async () => {
    const peer = tlsPeer(mutual, pcef);
    expect((await peer.open()).get('Result-Code')).toBe(2001);
    const msisdn = await mutual.account({ balance: 10_000 });
    await chargeTwoMiB(mutual, peer, msisdn);
    expect(await mutual.balance(msisdn)).toMatchObject({ available: 9_940, reserved: 0, spent: 60 });
  });

  it('matches the subject CN when the certificate has no DNS name', async () => {
    const cnOnly = pki.issue('cn-only', { cn: 'pgw7.test.example' });
    const peer = tlsPeer(mutual, cnOnly, 'pgw7.test.example');
    expect((await peer.open()).get('Result-Code')).toBe(2001);
  });

  it('answers 3010 to a CER whose Origin-Host is not its certificate, and closes', async () => {
    const impostor = tlsPeer(mutual, pcef, 'other.test.example');
    const cea = await impostor.open();
    expect(cea.get('Result-Code')).toBe(3010);
    expect(String(cea.get('Error-Message'))).toContain('other.test.example');
    expect(await impostor.whenClosed(3000)).toBe(true);
    expect(mutual.logs.some((l) => l.msg === 'Origin-Host not in the certificate; refused')).toBe(true);
  });
});
