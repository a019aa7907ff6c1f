/**
 * `ocs` run in-process through runOcs, as cli.ts runs it: each command's --help and mistakes,
 * answered before any connection (REDIS_URL names a socket that counts who connects) and with
 * only the configuration the command reads.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runOcs } from '../../../src/commands/dispatch.js';
import { COMMANDS } from '../../../src/commands/index.js';
import { VERSION } from '../../../src/version.js';

/** A valid call of each command, to which a test adds a flag. */
const CALLS: Record<string, string[]> = {
  serve: [],
  provision: ['demo/provisioning.yaml'],
  account: ['show', '8613800000001'],
  topup: ['8613800000001', '100'],
  cdr: ['export', '--all'],
  export: [],
  audit: [],
  demo: ['--once'],
  simulate: ['scenarios/smoke.yaml'],
  'vpn-monthly': [],
};

let trap: Server;
let connections = 0;
let env: NodeJS.ProcessEnv;
let out: { stdout: string; stderr: string };

beforeAll(async () => {
  trap = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const { port } = trap.address() as { port: number };
  env = { REDIS_URL: `redis://127.0.0.1:${port}` };
});

afterAll(() => new Promise<void>((resolve) => trap.close(() => resolve())));

afterEach(() => vi.restoreAllMocks());

async function ocs(argv: string[], environment: NodeJS.ProcessEnv = env): Promise<number> {
  out = { stdout: '', stderr: '' };
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out.stdout += `${a.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (out.stderr += `${a.join(' ')}\n`));
  return runOcs(argv, environment);
}

it('has a valid call of every command to test with', () => {
  expect(COMMANDS.map((c) => c.name).sort()).toEqual(Object.keys(CALLS).sort());
});

describe.each(COMMANDS.map((c) => c.name))('ocs %s', (name) => {
  const synopsis = name === 'cdr' ? 'cdr export' : name;

  it('--help and -h print its own help and exit 0, connecting to nothing', async () => {
    for (const help of ['--help', '-h']) {
      expect(await ocs([name, help])).toBe(0);
      expect(out.stdout.startsWith(`Usage: ocs ${synopsis}`), out.stdout).toBe(true);
      for (const section of ['\n\nOptions:\n', '\n  -h, --help ', '\n\nEnvironment:']) {
        expect(out.stdout).toContain(section);
      }
      expect(out.stderr).toBe('');
    }
    // Help wins over a call that would run, and over a mistake beside it.
    expect(await ocs([name, ...CALLS[name]!, '--bogus', '--help'])).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(connections).toBe(0);
  });

  it('refuses an unknown flag with exit code 2, naming it, with its own usage', async () => {
    expect(await ocs([name, ...CALLS[name]!, '--bogus'])).toBe(2);
    expect(out.stderr).toMatch(new RegExp(`^ocs ${name}: unknown option --bogus\n\nUsage: ocs ${synopsis}`));
    expect(out.stderr).toContain(`ocs ${name} --help says more.`);
    expect(out.stderr).not.toContain('ocs --version | --help');
    expect(out.stdout).toBe('');
    expect(connections).toBe(0);
  });
});

describe('mistakes', () => {
  it.each([
    [['serve', '--port', '1'], 'ocs serve: unknown option --port'],
    [
      ['cdr', 'export', '--all', '--format', 'xml'],
      'ocs cdr export: --format xml: the formats are csv and jsonl',
    ],
    [['cdr', 'list'], 'ocs cdr list: not a cdr action; the one there is is export'],
    [['cdr', 'export'], 'ocs cdr export: name the accounts with --msisdn, or export them all with --all'],
    [['topup', '8613800000001'], 'ocs topup: AMOUNT missing'],
    [
      ['topup', '8613800000001', '1.5'],
      'ocs topup: AMOUNT 1.5: a whole number of minor units (1000 is 10.00)',
    ],
    [['topup', '8613800000001', '5', '--reference'], 'ocs topup: --reference needs a value'],
    [['account', 'freeze', '8613800000001'], 'ocs account freeze: not one of show, block, lost, unblock'],
    [['provision'], 'ocs provision: FILE missing'],
    [['provision', 'a.yaml', 'b.yaml'], 'ocs provision: unexpected argument b.yaml (after FILE)'],
    [['demo', '--once=yes'], 'ocs demo: --once takes no value'],
    [['simulate', 'scenarios/smoke.yaml', '--port', '70000'], 'ocs simulate: --port 70000: not a port'],
    [['vpn-monthly', '2026-13'], 'ocs vpn-monthly 2026-13: the month is written YYYY-MM'],
  ])('ocs %j exits 2: %s', async (argv, message) => {
    expect(await ocs(argv)).toBe(2);
    expect(out.stderr.startsWith(message), out.stderr).toBe(true);
    expect(connections).toBe(0);
  });
});

describe('the configuration a command reads', () => {
  /** The server's variables, all wrong: a command that does not read them must not mind. */
  const badServer = { DIAMETER_PORT: 'x', HTTP_HOST: 'nowhere', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud' };

  it('reads the arguments first: a mistake is a mistake whatever the environment', async () => {
    expect(await ocs(['serve', '--port', '1'], badServer)).toBe(2);
    expect(await ocs(['vpn-monthly', '2026-13'], badServer)).toBe(2);
  });

  it('the operator commands read REDIS_URL and nothing else', async () => {
    expect(await ocs(['provision', 'demo/provisioning.yaml'], badServer)).toBe(1);
    expect(out.stderr).toBe(
      'ocs: invalid configuration:\n  REDIS_URL: required to provision (the Redis the servers use)\n',
    );
    expect(await ocs(['account', 'show', '8613800000001'], { ...badServer, REDIS_URL: 'http://x' })).toBe(1);
    expect(out.stderr).toMatch(
      /^ocs: invalid configuration:\n {2}REDIS_URL="http:\/\/x": must be a redis:\/\//,
    );
    expect(out.stderr).not.toMatch(/DIAMETER_PORT|HTTP_HOST|ADMIN_TOKEN|LOG_LEVEL/);
    expect(await ocs(['vpn-monthly'], badServer)).toBe(1);
    expect(out.stderr).toContain('REDIS_URL: required for the monthly run');
  });

  it('serve reads the whole server configuration, every bad variable at once, before starting', async () => {
    expect(await ocs(['serve'], badServer)).toBe(1);
    expect(out.stderr).toMatch(/^ocs: invalid configuration:\n/);
    for (const name of Object.keys(badServer)) expect(out.stderr).toContain(`\n  ${name}=`);
    expect(out.stderr.trim().split('\n')).toHaveLength(1 + Object.keys(badServer).length);
  });
});

describe('ocs', () => {
  it('--help lists every command; --version prints the version', async () => {
    expect(await ocs(['--help'])).toBe(0);
    for (const c of COMMANDS) expect(out.stdout).toContain(`\n  ocs ${c.usage} `);
    expect(await ocs(['--version'])).toBe(0);
    expect(out.stdout).toBe(`${VERSION}\n`);
  });

  it('without a command, or with an unknown one, prints the list and exits 2', async () => {
    expect(await ocs([])).toBe(2);
    expect(out.stdout).toContain('ocs --version | --help');
    expect(await ocs(['frobnicate'])).toBe(2);
    expect(out.stderr).toMatch(/^ocs: unknown command frobnicate\n\nocs \S+: a Diameter/);
  });
});
