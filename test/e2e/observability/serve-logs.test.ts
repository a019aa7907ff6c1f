/**
 * `ocs serve` as a process: what it writes is JSON log lines, a start that fails included (here
 * its HTTP port is taken), with the reason, and nothing in plain text on stderr.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/redis/local-redis.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let taken: Server;
let httpPort: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  httpPort = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

it('logs a start that fails as a JSON line at fatal, and exits 1', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      REDIS_URL: inject('redisUrl'),
      DIAMETER_HOST: '127.0.0.1',
      DIAMETER_PORT: String(await freePort()),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));

  expect(stderr).toBe('');
  const lines = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
  expect(lines.at(-1)).toMatchObject({ level: 60, msg: 'server not started' });
  expect(lines.at(-1)?.err?.message).toContain('EADDRINUSE');
  expect(code).toBe(1);
});
