/**
 * Who a request charges (src/credit-control/subscriber.ts), the refusal each failure stands for
 * (refusals.ts), the session keys (keys.ts), and what counts as a retransmission (session-record.ts).
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  AccountBlockedError,
  AccountExpiredError,
  AccountLostError,
  AccountNotFoundError,
  AccountPostpaidError,
  BelowMinimumThresholdError,
  CreditLimitReachedError,
  InsufficientFundsError,
  InvalidArgumentError,
  ReservationNotFoundError,
} from '../../../src/balance/index.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import { ChargingRefusal, refusalOf } from '../../../src/credit-control/refusals.js';
import { isRepeat, type SessionRecord } from '../../../src/credit-control/session-record.js';
import { SubscriberResolver, numberOfUri } from '../../../src/credit-control/subscriber.js';
import type { CreditControlRequest, SubscriptionIdType } from '../../../src/credit-control/types.js';
import { RatingError } from '../../../src/rating/types.js';

/** A Redis that only answers GET from a map, and counts the calls. */
function fakeRedis(values: Record<string, string>): Redis & { gets: string[] } {
  const gets: string[] = [];
  return {
    gets,
    get: (key: string) => {
      gets.push(key);
      return Promise.resolve(values[key] ?? null);
    },
  } as unknown as Redis & { gets: string[] };
}

describe('numberOfUri', () => {
  it.each([
    ['tel:+8613800000001', '8613800000001'],
    ['sip:+8613800000001@ims.example;user=phone', '8613800000001'],
    ['sips:8613800000001@ims.example', '8613800000001'],
    ['tel:+86-138-0000-0001;phone-context=+86', '8613800000001'],
    ['+8613800000001', '8613800000001'],
    [' TEL:+8613800000001 ', '8613800000001'],
  ])('%s holds %s', (uri, number) => {
    expect(numberOfUri(uri)).toBe(number);
  });

  it.each(['sip:alice@ims.example', 'mailto:8613800000001@x', 'tel:', ''])('%j holds no number', (uri) => {
    expect(numberOfUri(uri)).toBeUndefined();
  });
});

describe('SubscriberResolver', () => {
  const keys = new SessionKeys('p:');
  const resolver = (enabled: SubscriptionIdType[], aliases: Record<string, string> = {}) => {
    const redis = fakeRedis(aliases);
    return { redis, resolver: new SubscriberResolver(redis, keys, enabled) };
  };

  it('takes an E.164 number as the MSISDN, with or without +, whatever is enabled', async () => {
    const { redis, resolver: r } = resolver([]);
    expect(await r.resolve([{ type: 'e164', data: '+8613800000001' }])).toBe('8613800000001');
    expect(await r.resolve([{ type: 'e164', data: '8613800000001' }])).toBe('8613800000001');
    expect(redis.gets).toEqual([]);
  });

  it('skips what is not a number and types not enabled, in the order given', async () => {
    const { resolver: r } = resolver(['sip-uri'], { 'p:alias:imsi:460001000000001': '8613800000009' });
    expect(
      await r.resolve([
        { type: 'e164', data: 'not-a-number' },
        { type: 'imsi', data: '460001000000001' },
        { type: 'sip-uri', data: 'sip:+8613800000002@ims.example' },
      ]),
    ).toBe('8613800000002');
    expect(await r.resolve([{ type: 'e164', data: '1234567890123456' }])).toBeUndefined();
  });

  it('finds IMSI, NAI and non-numeric SIP identities through their alias records', async () => {
    const { resolver: r } = resolver(['imsi', 'nai', 'sip-uri'], {
      'p:alias:imsi:460001000000001': '8613800000009',
      'p:alias:nai:b@ims.example': '8613800000008',
      'p:alias:sip-uri:sip:alice@ims.example': '8613800000007',
    });
    expect(await r.resolve([{ type: 'imsi', data: '460001000000001' }])).toBe('8613800000009');
    expect(await r.resolve([{ type: 'nai', data: 'b@ims.example' }])).toBe('8613800000008');
    expect(await r.resolve([{ type: 'sip-uri', data: 'sip:alice@ims.example' }])).toBe('8613800000007');
    expect(await r.resolve([{ type: 'imsi', data: '460009999999999' }])).toBeUndefined();
  });
});

describe('refusalOf (RFC 4006 §9 result codes)', () => {
  it.each([
    [new AccountNotFoundError(), 5030],
    [new AccountBlockedError(), 4010],
    [new AccountLostError(), 4010],
    [new AccountExpiredError(), 4010],
    [new BelowMinimumThresholdError(), 4012],
    [new CreditLimitReachedError(), 4012],
    [new InsufficientFundsError(), 4012],
    [new AccountPostpaidError(), 4011],
    [new RatingError('no price'), 5031],
    [new ChargingRefusal('SUBSCRIPTION_ID_MISSING', 'missing'), 5005],
  ])('%s is %i', (err, code) => {
    expect(refusalOf(err)?.resultCode).toBe(code);
  });

  it('is nothing for a failure of ours (answered 5012)', () => {
    expect(refusalOf(new InvalidArgumentError('x'))).toBeUndefined();
    expect(refusalOf(new ReservationNotFoundError())).toBeUndefined();
    expect(refusalOf(new Error('connection lost'))).toBeUndefined();
    expect(refusalOf('text')).toBeUndefined();
  });
});

describe('SessionKeys', () => {
  it('puts the keys of one account in its hash slot ({msisdn})', () => {
    const k = new SessionKeys('t:');
    expect(k.session('8613800000001', 'a;b;c')).toBe('t:sess:{8613800000001}:a;b;c');
    expect(k.cdrs('8613800000001')).toBe('t:cdr:{8613800000001}');
    expect(k.sessionOwner('a;b;c')).toBe('t:sid:a;b;c');
    expect(k.supervision()).toBe('t:sess-supervision');
    expect(k.alias('imsi', '460001000000001')).toBe('t:alias:imsi:460001000000001');
    expect(new SessionKeys().cdrs('1')).toBe('cdr:{1}');
  });
});

describe('isRepeat', () => {
  const record = { lastNumber: 3, lastType: 'update' } as SessionRecord;
  const req = (requestNumber: number, requestType: CreditControlRequest['requestType']) =>
    ({ requestNumber, requestType }) as CreditControlRequest;

  it('is the same number and the same type', () => {
    expect(isRepeat(record, req(3, 'update'))).toBe(true);
    expect(isRepeat(record, req(3, 'termination'))).toBe(false);
    expect(isRepeat(record, req(2, 'update'))).toBe(false);
    expect(isRepeat(record, req(4, 'update'))).toBe(false);
  });

  it('goes by the number alone for a record that does not know its last type', () => {
    const old = { lastNumber: 3 } as SessionRecord;
    expect(isRepeat(old, req(3, 'termination'))).toBe(true);
  });
});
