/**
 * The `ocs` executable as an operator runs it: `node --import tsx src/cli.ts ...` as a child
 * process, with an environment of REDIS_URL alone (a socket that counts who connects). --help
 * exits 0 at once without a connection or a listener; a mistake exits 2 with the command's usage.
 * The children run at the same time; each is killed at the end if it is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../../src/redis/local-redis.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const children = new Set<ChildProcess>();

function ocs(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const run: Run = { code: null, signal: null, stdout: '', stderr: '', ms: 0 };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ ...run, code, signal, ms: Date.now() - started });
    }),
  );
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let trap: Server;
let connections = 0;
let ports: { diameter: number; http: number };
let runs: Record<string, Run>;

beforeAll(async () => {
  trap = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  ports = { diameter: await freePort(), http: await freePort() };
  const env = {
    REDIS_URL: `redis://127.0.0.1:${(trap.address() as { port: number }).port}`,
    DIAMETER_PORT: String(ports.diameter),
    HTTP_PORT: String(ports.http),
  };
  const calls: Record<string, [string[], NodeJS.ProcessEnv]> = {
    help: [['--help'], env],
    'serve --help': [['serve', '--help'], env],
    'demo --help': [['demo', '--help'], env],
    'provision --help': [['provision', '--help'], { REDIS_URL: 'redis://127.0.0.1:1' }],
    'serve --port 1': [['serve', '--port', '1'], env],
    'cdr export --format xml': [['cdr', 'export', '--all', '--format', 'xml'], env],
  };
  const names = Object.keys(calls);
  const done = await Promise.all(names.map((n) => ocs(...calls[n]!)));
  runs = Object.fromEntries(names.map((n, i) => [n, done[i]!]));
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await new Promise<void>((resolve) => trap.close(() => resolve()));
});

it('ocs --help lists every command', () => {
  const { code, stdout } = runs.help!;
  expect(code).toBe(0);
  for (const name of [
    'serve',
    'provision',
    'account',
    'topup',
    'cdr export',
    'demo',
    'simulate',
    'vpn-monthly',
  ]) {
    expect(stdout).toContain(`\n  ocs ${name}`);
  }
});

it('serve --help and demo --help print their help and exit at once: no Redis, no listener', async () => {
  for (const name of ['serve', 'demo']) {
    const run = runs[`${name} --help`]!;
    expect(run.code, run.stderr).toBe(0);
    expect(run.signal).toBeNull();
    expect(run.stdout).toMatch(new RegExp(`^Usage: ocs ${name}`));
    expect(run.stdout).toContain('\nEnvironment:\n');
    expect(run.ms).toBeLessThan(10_000);
  }
  expect(runs['demo --help']!.stdout).toContain('--once');
  expect(connections).toBe(0);
  expect(await listening(ports.diameter)).toBe(false);
  expect(await listening(ports.http)).toBe(false);
});

it('provision --help needs no Redis that answers', () => {
  const { code, stdout } = runs['provision --help']!;
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: ocs provision FILE\n/);
  expect(stdout).toMatch(/\n {2}REDIS_URL +the Redis the servers use \(required\)/);
});

it('serve --port 1 exits 2: serve takes no flags, its configuration is the environment', () => {
  const { code, stdout, stderr } = runs['serve --port 1']!;
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toMatch(/^ocs serve: unknown option --port\n\nUsage: ocs serve\n/);
  expect(stderr).not.toContain('ocs provision');
});

it('cdr export --format xml exits 2, saying which formats there are', () => {
  const { code, stderr } = runs['cdr export --format xml']!;
  expect(code).toBe(2);
  expect(stderr).toMatch(
    /^ocs cdr export: --format xml: the formats are csv and jsonl\n\nUsage: ocs cdr export /,
  );
  expect(connections).toBe(0);
});
