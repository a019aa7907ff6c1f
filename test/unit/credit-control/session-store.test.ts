/** SessionStore.serialise: the requests of one session run one after the other in an instance. */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import { SessionStore } from '../../../src/credit-control/sessions.js';

const store = () => new SessionStore({ defineCommand() {} } as unknown as Redis, new SessionKeys('t:'));

/** A promise and its resolve, to hold a job open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('SessionStore.serialise', () => {
  it('runs the work of one session in the order it came, each after the one before ended', async () => {
    const s = store();
    const log: string[] = [];
    const first = gate();
    const a = s.serialise('x', async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
      return 'a';
    });
    const b = s.serialise('x', async () => {
      log.push('b');
      return 'b';
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('does not hold other sessions back', async () => {
    const s = store();
    const held = gate();
    const slow = s.serialise('x', () => held.promise);
    expect(await s.serialise('y', async () => 'y')).toBe('y');
    held.open();
    await slow;
  });

  it('goes on after a failure, which only its own caller sees', async () => {
    const s = store();
    const failed = s.serialise('x', () => Promise.reject(new Error('boom')));
    const next = s.serialise('x', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});
