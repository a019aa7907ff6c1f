/**
 * REDIS_PASSWORD against a real Redis: an ACL user of the test Redis (so the shared server keeps
 * no password) is reached with the URL naming the user and the password given apart.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { connectRedis } from '../../../src/redis/connect.js';

const user = `ocs-password-${randomBytes(4).toString('hex')}`;
const password = `p@ss:w%rd/${randomBytes(4).toString('hex')}`;
let admin: Redis | Cluster;
const opened: (Redis | Cluster)[] = [];

beforeAll(async () => {
  admin = connectRedis(inject('redisUrl'));
  await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
});
afterAll(async () => {
  for (const client of opened) client.disconnect();
  await admin.call('ACL', 'DELUSER', user);
  admin.disconnect();
});

function urlOf(env: Record<string, string>): string {
  const base = new URL(inject('redisUrl'));
  base.username = user;
  return loadConfig({ REDIS_URL: base.href, ...env }).redisUrl ?? '';
}

describe('REDIS_PASSWORD on a Redis that needs one', () => {
  it('authenticates the server connection', async () => {
    const client = connectRedis(urlOf({ REDIS_PASSWORD: password }), { commandTimeoutMs: 1000 });
    opened.push(client);
    expect(await client.call('ACL', 'WHOAMI')).toBe(user);
  });

  it('a wrong one is refused by Redis', async () => {
    const client = connectRedis(urlOf({ REDIS_PASSWORD: 'not-the-password' }), {
      commandTimeoutMs: 1000,
      offlineQueue: false,
    });
    opened.push(client);
    const failure = await new Promise<Error>((resolve) => client.once('error', resolve));
    expect(failure.message).toMatch(/WRONGPASS|invalid username-password/);
  });
});
