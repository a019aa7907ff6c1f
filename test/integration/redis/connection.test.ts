/**
 * The server's Redis connection on the call path: every command has a deadline, none waits
 * for a reconnection, errors go to the logger, and subscriptions still queue until connected.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it, inject } from 'vitest';
import { connectRedis } from '../../../src/redis/connect.js';
import { redisFailureOf } from '../../../src/redis/failures.js';
import { answersPing, whenReady } from '../../../src/redis/readiness.js';

const opened: (Redis | Cluster)[] = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.disconnect();
});

function logged() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'warn' }, sink) };
}

function callPath(url: string, logger = logged().logger, commandTimeoutMs = 1000): Redis {
  const client = connectRedis(url, { commandTimeoutMs, offlineQueue: false, logger }) as Redis;
  opened.push(client);
  return client;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('a call-path connection to a Redis that answers', () => {
  it('serves commands once ready, and says PONG within the bound', async () => {
    const redis = callPath(inject('redisUrl'));
    await whenReady(redis, 5000);
    await expect(redis.ping()).resolves.toBe('PONG');
    await expect(answersPing(redis, 500)).resolves.toBe(true);
  });

  it('fails a command with no answer within its deadline, and keeps serving the others', async () => {
    const redis = callPath(inject('redisUrl'), undefined, 100);
    await whenReady(redis, 5000);
    const started = Date.now();
    // BLPOP holds its answer for a second; nothing else on the shared Redis waits for it.
    const blocked = redis.blpop(`conn-test:${process.pid}:nothing`, 1).catch((err: unknown) => err);
    const err = await blocked;
    expect(Date.now() - started).toBeLessThan(800);
    expect(redisFailureOf(err)).toBe('timeout');
  });

  it('gives duplicates (subscriptions) a queue: they subscribe before they are connected', async () => {
    const redis = callPath(inject('redisUrl'));
    await whenReady(redis, 5000);
    const subscriber = redis.duplicate();
    opened.push(subscriber);
    await expect(subscriber.subscribe(`conn-test:${process.pid}`)).resolves.toBe(1);
  });
});

describe('a call-path connection to a Redis that is not there', () => {
  it('refuses commands at once instead of queueing them, and logs its errors', async () => {
    const { lines, logger } = logged();
    const redis = callPath(`redis://127.0.0.1:${await closedPort()}`, logger);
    const started = Date.now();
    const err = await redis.get('x').catch((e: unknown) => e);
    expect(redisFailureOf(err)).toBe('unavailable');
    await expect(answersPing(redis, 300)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(whenReady(redis, 300)).rejects.toThrow(/not ready within 300 ms: .*ECONNREFUSED/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'Redis connection error',
        reason: expect.stringMatching(/ECONNREFUSED/),
      }),
    );
  });
});
