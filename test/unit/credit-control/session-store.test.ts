/**
 * SessionStore.serialise: the requests of one session run one after the other in an instance;
 * SessionStore.recall: the session as this instance last wrote it, which no request changes.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import type { SessionRecord } from '../../../src/credit-control/session-record.js';
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

describe('SessionStore.recall', () => {
  const record = (): SessionRecord => ({
    sessionId: 'pgw.example;1',
    msisdn: '8613800000001',
    kind: 'data',
    tariff: 'std',
    currency: 'CNY',
    state: 'open',
    lastNumber: 1,
    lastType: 'update',
    lastAnswer: { resultCode: 2001, services: [] },
    startedAt: 1,
    updatedAt: 2,
    reserved: [10],
    held: { '10': 30 },
    used: { '10': 100 },
    amounts: { money: 3 },
    levels: ['pps:std:data'],
    via: 'dra.example',
  });

  it('hands out the session as remembered, however the request that remembered it goes on to change it', () => {
    const s = store();
    const served = record();
    s.remember(served, 'stored', 'op');
    served.reserved.push(20);
    served.used['10'] = 999;
    served.levels.push('x');
    delete served.held;
    served.lastNumber = 7;
    expect(s.recall(served.sessionId)?.record).toEqual(record());
  });

  it('hands out a copy each time: a request that fails part way leaves the next one the session as it was', () => {
    const s = store();
    s.remember(record(), 'stored', 'op');
    const first = s.recall('pgw.example;1')!.record;
    first.reserved.length = 0;
    first.amounts.money = 0;
    first.held!['10'] = 0;
    first.levels.pop();
    first.via = undefined;
    const second = s.recall('pgw.example;1');
    expect(second?.record).toEqual(record());
    expect(second?.guard).toEqual({ key: 't:sess:{8613800000001}:pgw.example;1', value: 'stored' });
  });

  it('recalls a session only for the account it was remembered for', () => {
    const s = store();
    s.remember(record(), 'stored', 'op');
    expect(s.recall('pgw.example;1', '8613800000002')).toBeUndefined();
    expect(s.recall('pgw.example;1', '8613800000001')).toBeDefined();
  });
});
