/**
 * What the scripts keep under an operation id and what arguments they take: a result remembered
 * by an earlier version is replayed as it was, refusals and successes are replayed byte for
 * byte, and numbers are taken only in canonical form.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BalanceCode, type BalanceStore } from '../../../src/balance/index.js';
import { balanceFixture, msisdn, VOICE } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;

async function applyOnce(store: BalanceStore, m: string, opId: string) {
  return store.apply({
    opId,
    msisdn: m,
    sessionId: opId,
    ratingGroup: 0,
    tiers: VOICE,
    units: 60,
    nowMs: NOW,
    expiresAtMs: NOW + 60_000,
  });
}

describe('operation results', () => {
  it('remembered whole by an earlier version are replayed as they were', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 100 } });
    const key = f.store.keys.operation(m, 'old-1');
    await f.redis.eval(
      "redis.call('SET', KEYS[1], cmsgpack.pack({0, {'granted', 7, 'final', 1, 'expiresAtMs', 5, " +
        "'tiers', {'money', 1, 2}, 'moneyAvailable', 3}}))",
      1,
      key,
    );
    await expect(applyOnce(f.store, m, 'old-1')).resolves.toEqual({
      granted: 7,
      final: true,
      expiresAtMs: 5,
      tiers: [{ bucket: 'money', units: 1, amount: 2 }],
      moneyAvailable: 3,
    });
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 100, reserved: 0, spent: 0 });
  });

  it('replay a refusal and a success byte for byte, whatever the arguments of the replay', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: {} });
    const k = f.store.keys.account(m);
    const args = (opId: string, units: number) => [
      k.account,
      k.reservations,
      k.ledger,
      f.store.keys.operation(m, opId),
      opId,
      NOW,
      60,
      100,
      `s-${opId}`,
      0,
      units,
      NOW + 1000,
      '0',
      1,
      'money',
      60,
      15,
      '',
    ];
    const refused = await f.redis.ocsApply(...args('kept-1', 60));
    expect(refused).toEqual([BalanceCode.CREDIT_LIMIT_REACHED, '']);
    await f.store.topup({ opId: 'kept-topup', msisdn: m, amount: 100, nowMs: NOW });
    await expect(f.redis.ocsApply(...args('kept-1', 60))).resolves.toEqual(refused);
    const first = await f.redis.ocsApply(...args('kept-2', 60));
    expect(first).toEqual([
      0,
      ['granted', 60, 'final', 0, 'expiresAtMs', NOW + 1000, 'tiers', ['money', 1, 15], 'moneyAvailable', 85],
    ]);
    await expect(f.redis.ocsApply(...args('kept-2', 600))).resolves.toEqual(first);
  });
});

describe('numbers in arguments', () => {
  it('must be canonical: a leading zero is refused before anything is written', async () => {
    const m = msisdn();
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 100 } });
    const k = f.store.keys.account(m);
    const base = [k.account, k.reservations, k.ledger];
    const call = (opId: string, ttl: string, maxlen: string, rg: string) =>
      f.redis.ocsApply(
        ...base,
        f.store.keys.operation(m, opId),
        opId,
        String(NOW),
        ttl,
        maxlen,
        's',
        rg,
        '60',
        String(NOW + 1000),
        '0',
        '1',
        'money',
        '60',
        '15',
        '',
      ) as Promise<[number, unknown]>;
    await expect(call('z1', '060', '100', '0')).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('opTtlSeconds'),
    ]);
    await expect(call('z2', '60', '0100', '0')).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('ledgerMaxLen'),
    ]);
    await expect(call('z3', '60', '100', '07')).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('ratingGroup'),
    ]);
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 100, reserved: 0, spent: 0 });
    await expect(call('z4', '60', '100', '7')).resolves.toMatchObject([0, expect.any(Array)]);
  });
});
