import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlags, withOverrides } from '../../../src/commands/simulate-flags.js';
import { UsageError } from '../../../src/commands/command.js';
import { provisioningDocuments } from '../../../src/simulator/provision.js';
import {
  ScenarioError,
  meanRequestsPerSession,
  numberAt,
  parseScenario,
  requestsPerSession,
} from '../../../src/simulator/scenario.js';

const MINIMAL = `
mode: { type: rate, ccrPerSecond: 100 }
stop: { duration: 10 }
msisdn: { first: '8613800000000', count: 100 }
mix: [{ kind: data }]
`;

function problems(yaml: string): string[] {
  try {
    parseScenario(yaml, 'test.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseScenario', () => {
  it('fills the defaults of a minimal scenario', () => {
    const s = parseScenario(MINIMAL);
    expect(s.peers).toEqual({
      count: 1,
      originHost: 'sim{n}.load.example',
      originRealm: 'load.example',
      destinationRealm: 'localdomain',
      server: { host: '127.0.0.1', port: 3868 },
    });
    expect(s.mode).toEqual({ type: 'rate', ccrPerSecond: 100, rampSeconds: 0, maxInFlight: 5000 });
    expect(s.stop).toEqual({ duration: 10, drainSeconds: 10 });
    expect(s.expect).toEqual([2001]);
    expect(s.answerTimeoutSeconds).toBe(5);
    expect(s.mix[0]).toEqual({
      kind: 'data',
      weight: 1,
      pauseSeconds: 0,
      ratingGroups: [10],
      updates: 2,
      requestedOctets: 1_048_576,
      usedOctets: 1_000_000,
    });
  });

  it('names the path of every bad field', () => {
    const found = problems(`
peers: { count: 0, server: { port: 70000 } }
mode: { type: rate, ccrPerSecond: -1 }
stop: { duration: 10 }
msisdn: { first: 8613800000000, count: 100 }
mix:
  - { kind: data, updates: 1.5 }
  - { kind: voice, chunkSeconds: 0, called: { first: '1', count: 1 } }
  - { kind: fax }
expect: [200]
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^peers\.count: /),
        expect.stringMatching(/^peers\.server\.port: /),
        expect.stringMatching(/^mode\.ccrPerSecond: /),
        expect.stringMatching(/^msisdn\.first: /),
        expect.stringMatching(/^mix\[0\]\.updates: must be a whole number/),
        expect.stringMatching(/^mix\[1\]\.chunkSeconds: must be greater than 0/),
        expect.stringMatching(/^mix\[2\]\.kind: /),
        expect.stringMatching(/^expect\[0\]: /),
      ]),
    );
  });

  it('refuses unknown fields, so a misspelt one is not silently ignored', () => {
    expect(problems(MINIMAL.replace('kind: data', 'kind: data, update: 3'))).toEqual([
      expect.stringMatching(/^mix\[0\]: .*update/),
    ]);
  });

  it('checks what the shape cannot say', () => {
    expect(
      problems(`
mode: { type: rate, ccrPerSecond: 10, sessionsPerSecond: 10 }
stop: { duration: 10, sessions: 5 }
msisdn: { first: '99999', count: 2 }
mix:
  - { kind: voice, vpn: { shortNumbers: ['6001'], share: 0.5 } }
  - { kind: debit, service: data, units: 100 }
  - { kind: data, ratingGroups: [30] }
provision:
  tariff: { id: t, currency: CNY, data: { ratingGroups: { '10': { unitOctets: 1, pricePerUnit: 1 } } } }
`),
    ).toEqual([
      'mode: a rate mode needs exactly one of ccrPerSecond and sessionsPerSecond',
      'stop: name exactly one of duration (seconds) and sessions (a count)',
      'msisdn: 99999 + 1 needs more digits than 99999',
      'mix[0].called: needed (or destinations) for the calls that are not VPN calls',
      'mix[0]: provision.tariff has no price for this voice',
      'mix[1].ratingGroup: a data debit is rated by its rating group',
      'mix[1]: provision.tariff has no price for this debit',
      'mix[2]: provision.tariff has no price for this data',
    ]);
  });

  it('says where the file is and what is wrong with its YAML', () => {
    expect(() => parseScenario('mode: [', 'bad.yaml')).toThrow(
      /^bad\.yaml: not a valid scenario:\n {2}not valid YAML/,
    );
  });

  it('counts the CCRs of each kind of session', () => {
    const s = parseScenario(`
mode: { type: concurrency, sessions: 10 }
stop: { sessions: 100 }
msisdn: { first: '8613800000000', count: 100 }
mix:
  - { kind: data, weight: 70, updates: 2 }
  - { kind: voice, weight: 25, callSeconds: 90, chunkSeconds: 60, called: { first: '1000', count: 5 } }
  - { kind: sms, weight: 5 }
`);
    expect(s.mix.map(requestsPerSession)).toEqual([4, 3, 1]);
    expect(meanRequestsPerSession(s.mix)).toBeCloseTo(0.7 * 4 + 0.25 * 3 + 0.05, 10);
  });
});

describe('number ranges', () => {
  it('counts up from the first number, keeping its width', () => {
    expect(numberAt({ first: '8613800000000', count: 10 }, 0)).toBe('8613800000000');
    expect(numberAt({ first: '8613800000000', count: 10 }, 9)).toBe('8613800000009');
    expect(numberAt({ first: '0010', count: 100 }, 95)).toBe('0105');
  });
});

describe('the example scenarios', () => {
  const dir = new URL('../../../scenarios/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('are there', () => {
    expect(files).toEqual(expect.arrayContaining(['smoke.yaml', 'mixed.yaml', 'saturate.yaml']));
  });

  it.each(files)('%s is a valid scenario', (file) => {
    expect(() => parseScenario(readFileSync(new URL(file, dir), 'utf8'), file)).not.toThrow();
  });

  it('mixed.yaml is 70% data, 25% voice and 5% SMS', () => {
    const s = parseScenario(readFileSync(new URL('mixed.yaml', dir), 'utf8'));
    expect(s.mix.map((k) => [k.kind, k.weight])).toEqual([
      ['data', 70],
      ['voice', 25],
      ['sms', 5],
    ]);
  });
});

describe('provisioningDocuments', () => {
  it('puts the tariff first, then the accounts in chunks of 500', () => {
    const s = parseScenario(`${MINIMAL}
provision:
  tariff: { id: t1, currency: CNY, data: { ratingGroups: { '10': { unitOctets: 1, pricePerUnit: 1 } } } }
  accounts:
    - { first: '8613800000000', count: 600, balance: 500 }
    - { first: '8613900000000', count: 1, status: blocked }
`);
    const docs = provisioningDocuments(s).map(
      (d) => JSON.parse(d) as { tariffs?: unknown[]; accounts?: { msisdn: string }[] },
    );
    expect(docs.map((d) => [d.tariffs?.length, d.accounts?.length])).toEqual([
      [1, undefined],
      [undefined, 500],
      [undefined, 101],
    ]);
    expect(docs[2]!.accounts!.at(-1)).toEqual({
      msisdn: '8613900000000',
      prepaid: true,
      tariff: 't1',
      balance: 1_000_000,
      status: 'blocked',
    });
    expect(provisioningDocuments(parseScenario(MINIMAL))).toEqual([]);
  });
});

describe('ocs simulate options', () => {
  it('reads the scenario file and the options', () => {
    expect(
      parseFlags([
        's.yaml',
        '--port',
        '3869',
        '--duration',
        '20',
        '--rate',
        '500',
        '--json',
        'r.json',
        '--redis',
        'redis://x:1',
      ]),
    ).toEqual({
      file: 's.yaml',
      port: 3869,
      duration: 20,
      rate: 500,
      json: 'r.json',
      redis: 'redis://x:1',
      quiet: false,
    });
    expect(parseFlags(['s.yaml', '--server-pid', '12,345', '--quiet'])).toEqual({
      file: 's.yaml',
      serverPids: [12, 345],
      quiet: true,
    });
    expect(() => parseFlags([])).toThrow(UsageError);
    expect(() => parseFlags(['s.yaml', '--port'])).toThrow(/--port needs a value/);
    expect(() => parseFlags(['s.yaml', '--rate', 'fast'])).toThrow(/positive number/);
    expect(() => parseFlags(['s.yaml', '--bogus'])).toThrow(/unknown option --bogus/);
  });

  it('overrides the server, the duration and the rate, keeping the ramp', () => {
    const s = parseScenario(MINIMAL.replace('ccrPerSecond: 100', 'sessionsPerSecond: 5, rampSeconds: 3'));
    const o = withOverrides(s, {
      file: 'x',
      host: '10.0.0.1',
      port: 4000,
      duration: 20,
      rate: 900,
      quiet: false,
    });
    expect(o.peers.server).toEqual({ host: '10.0.0.1', port: 4000 });
    expect(o.stop).toEqual({ duration: 20, drainSeconds: 10 });
    expect(o.mode).toEqual({ type: 'rate', ccrPerSecond: 900, rampSeconds: 3, maxInFlight: 5000 });
    expect(s.peers.server.port).toBe(3868);
  });
});
