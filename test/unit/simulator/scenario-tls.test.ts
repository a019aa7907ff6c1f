/**
 * TLS in a load scenario (`peers.server.tls`) and on the command line (`--tls*`): TLS has a
 * port of its own (RFC 6733 §2.1), a client certificate needs its key, and the scenario's
 * files are read once with a problem that names the field.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/commands/command.js';
import { parseFlags, withOverrides } from '../../../src/commands/simulate-flags.js';
import { SimulatorError } from '../../../src/simulator/error.js';
import { ScenarioError, parseScenario } from '../../../src/simulator/scenario.js';
import { clientTlsOptions } from '../../../src/simulator/tls.js';

const BODY = `
mode: { type: rate, ccrPerSecond: 100 }
stop: { duration: 10 }
msisdn: { first: '8613800000000', count: 100 }
mix: [{ kind: data }]
`;

function withServer(server: string): string {
  return `peers: { server: ${server} }\n${BODY}`;
}

describe('peers.server.tls in a scenario', () => {
  it('connects to 5658 when TLS is asked and no port is named, to the named port otherwise', () => {
    expect(parseScenario(withServer('{ tls: {} }')).peers.server).toEqual({
      host: '127.0.0.1',
      port: 5658,
      tls: {},
    });
    const named = parseScenario(withServer('{ port: 15658, tls: { ca: ca.pem, servername: ocs.example } }'));
    expect(named.peers.server).toEqual({
      host: '127.0.0.1',
      port: 15658,
      tls: { ca: 'ca.pem', servername: 'ocs.example' },
    });
    expect(parseScenario(withServer('{ host: 10.0.0.1 }')).peers.server).toEqual({
      host: '10.0.0.1',
      port: 3868,
    });
  });

  it('needs a client certificate and its key together, and knows no other field', () => {
    expect(() => parseScenario(withServer('{ tls: { cert: c.pem } }'))).toThrow(
      /peers.server.tls: name both cert and key, or neither/,
    );
    try {
      parseScenario(withServer('{ tls: { verify: false } }'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).problems.join('\n')).toMatch(/peers.server.tls: .*verify/);
    }
  });

  it('reads the files once, naming the field of one it cannot read', () => {
    expect(clientTlsOptions(undefined)).toBeUndefined();
    expect(clientTlsOptions({ servername: 'ocs.example' })).toEqual({ servername: 'ocs.example' });
    expect(() => clientTlsOptions({ ca: '/nonexistent/ca.pem' })).toThrow(SimulatorError);
    expect(() => clientTlsOptions({ ca: '/nonexistent/ca.pem' })).toThrow(
      /^peers.server.tls.ca: cannot read \/nonexistent\/ca.pem: ENOENT/,
    );
  });
});

describe('ocs simulate --tls options', () => {
  it('turns TLS on with --tls or any --tls-* option', () => {
    expect(parseFlags(['s.yaml', '--tls']).tls).toEqual({});
    expect(
      parseFlags([
        's.yaml',
        '--tls-ca',
        'ca.pem',
        '--tls-cert',
        'pgw.crt',
        '--tls-key',
        'pgw.key',
        '--tls-servername',
        'ocs.example',
      ]).tls,
    ).toEqual({ ca: 'ca.pem', cert: 'pgw.crt', key: 'pgw.key', servername: 'ocs.example' });
    expect(parseFlags(['s.yaml']).tls).toBeUndefined();
    expect(() => parseFlags(['s.yaml', '--tls-cert', 'pgw.crt'])).toThrow(UsageError);
    expect(() => parseFlags(['s.yaml', '--tls=yes'])).toThrow(/--tls takes no value/);
  });

  it("moves a scenario aimed at TCP's port to TLS's, unless --port names one", () => {
    const tcp = parseScenario(BODY);
    const flags = { file: 'x', quiet: false, tls: { ca: 'ca.pem' } };
    expect(withOverrides(tcp, flags).peers.server).toEqual({
      host: '127.0.0.1',
      port: 5658,
      tls: { ca: 'ca.pem' },
    });
    expect(withOverrides(tcp, { ...flags, port: 3868 }).peers.server.port).toBe(3868);
    const other = parseScenario(withServer('{ port: 4000 }'));
    expect(withOverrides(other, flags).peers.server.port).toBe(4000);
    const tls = parseScenario(withServer('{ tls: { ca: a.pem, servername: ocs.example } }'));
    expect(withOverrides(tls, flags).peers.server).toEqual({
      host: '127.0.0.1',
      port: 5658,
      tls: { ca: 'ca.pem', servername: 'ocs.example' },
    });
    expect(tcp.peers.server).toEqual({ host: '127.0.0.1', port: 3868 });
  });
});
