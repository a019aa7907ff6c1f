/** REDIS_COMMAND_TIMEOUT_MS: the deadline of a Redis command on the call path, checked at start. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { configProblems as problems } from '../support/config-problems.js';

describe('REDIS_COMMAND_TIMEOUT_MS', () => {
  it('defaults to 1000 ms, well under a client Tx timer, and reads whole ms from 10 to 60000', () => {
    expect(loadConfig({}).redisCommandTimeoutMs).toBe(1000);
    expect(loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '10' }).redisCommandTimeoutMs).toBe(10);
    expect(loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '300' }).redisCommandTimeoutMs).toBe(300);
    expect(loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '60000' }).redisCommandTimeoutMs).toBe(60_000);
  });

  it('names the variable, the value and the bounds of a bad value', () => {
    for (const value of ['0', '9', '-1', '1.5', '1s', '60001']) {
      expect(problems({ REDIS_COMMAND_TIMEOUT_MS: value })).toEqual([
        `REDIS_COMMAND_TIMEOUT_MS=${JSON.stringify(value)}: must be a whole number from 10 to 60000`,
      ]);
    }
  });
});
