/**
 * A start that fails half-way closes what it had opened: a Diameter port already taken makes
 * `startServer` reject, and the process, which never calls exit, then ends by itself because
 * no Redis connection or subscription is left open.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

it('rejects a start on a taken Diameter port, and leaves nothing open', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/server/start-with-env.ts'], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL: inject('redisUrl'),
      DIAMETER_HOST: '127.0.0.1',
      DIAMETER_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      TEST_KEY_PREFIX: 'failed-start:',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000));
  const outcome = await Promise.race([exited, timer]);
  if (outcome === 'still running') child.kill('SIGKILL');
  expect(output).toMatch(/^failed: .*EADDRINUSE/m);
  expect(outcome).toBe(0);
});
