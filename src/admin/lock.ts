/**
 * A short lock per account, so that two admin requests on one account (two creations of the
 * same MSISDN, two attribute changes) run one after the other instead of writing over each
 * other. It guards admin requests only: credit control never changes account attributes.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { AdminError } from './errors.js';

/*
  unlock: KEYS[1] the lock, ARGV[1] the caller's token. Deletes the lock only while it still
  holds that token (it may have expired and been taken by another request). Returns 1 or 0.
*/
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface LockOptions {
  /** How long the lock lives if its holder dies. Default 10 s. */
  ttlMs?: number;
  /** How long a request waits for the lock before it is refused as BUSY. Default 2 s. */
  waitMs?: number;
}

export async function withLock<T>(
  redis: Redis | Cluster,
  key: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const token = randomBytes(12).toString('hex');
  const deadline = Date.now() + (options.waitMs ?? 2000);
  for (;;) {
    if ((await redis.set(key, token, 'PX', options.ttlMs ?? 10_000, 'NX')) === 'OK') break;
    if (Date.now() >= deadline) {
      throw new AdminError('BUSY', 'another request is changing this account; try again');
    }
    await sleep(20 + Math.floor(Math.random() * 30));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(UNLOCK, 1, key, token);
  }
}
