import { afterAll, describe, expect, it } from 'vitest';
import {
  AccountBlockedError,
  AccountNotFoundError,
  AccountPostpaidError,
  BalanceCode,
  CreditLimitReachedError,
  InsufficientFundsError,
  InvalidArgumentError,
  MAX_AMOUNT,
  type Tier,
} from '../../../src/balance/index.js';
import { balanceFixture, FREE_CREDIT, FREE_SECONDS, msisdn, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const SMS: Tier[] = [{ bucket: 'money', unitSize: 1, pricePerUnit: 10 }];
let n = 0;
const opId = () => `op-${(n += 1)}`;

async function account(buckets: Record<string, number> = {}, more: object = {}): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets, ...more });
  return m;
}
const bucket = async (m: string, name = 'money') => (await f.store.getAccount(m))?.buckets[name];
const ledger = (m: string) => f.store.readLedger(m);

describe('upsertAccount', () => {
  it('creates an account with its opening balances and a ledger entry', async () => {
    const m = msisdn();
    await expect(
      f.store.upsertAccount(
        {
          msisdn: m,
          tariff: 'pps-standard',
          currency: 'CNY',
          validUntil: 1_830_000_000,
          minThreshold: 10,
          buckets: { money: 10_000, [FREE_SECONDS]: 18_000 },
        },
        NOW,
      ),
    ).resolves.toEqual({ created: true });
    expect(await f.store.getAccount(m)).toEqual({
      msisdn: m,
      status: 'active',
      prepaid: true,
      validUntil: 1_830_000_000,
      minThreshold: 10,
      tariff: 'pps-standard',
      currency: 'CNY',
      buckets: {
        money: { available: 10_000, reserved: 0, spent: 0 },
        [FREE_SECONDS]: { available: 18_000, reserved: 0, spent: 0 },
      },
      resetPeriods: {},
    });
    expect(await ledger(m)).toMatchObject([
      {
        op: 'set',
        opId: 'provision',
        deltas: {
          money: { available: 10_000, reserved: 0, spent: 0 },
          [FREE_SECONDS]: { available: 18_000, reserved: 0, spent: 0 },
        },
        moneyAvailableAfter: 10_000,
        ts: NOW,
      },
    ]);
  });

  it('updates only the attributes of an existing account: balances, reservations and spent stay', async () => {
    const m = await account({ money: 1000 });
    await f.store.apply({
      opId: opId(),
      msisdn: m,
      sessionId: 's',
      ratingGroup: 0,
      tiers: SMS,
      units: 3,
      nowMs: NOW,
      expiresAtMs: NOW + 1000,
    });
    await f.store.deduct({ opId: opId(), msisdn: m, sessionId: 's', ratingGroup: 0, used: 1, nowMs: NOW });
    await expect(
      f.store.upsertAccount({ msisdn: m, status: 'blocked', tariff: 'new', buckets: { money: 5 } }),
    ).resolves.toEqual({ created: false });
    const view = await f.store.getAccount(m);
    expect(view).toMatchObject({ status: 'blocked', tariff: 'new' });
    expect(view?.buckets.money).toEqual({ available: 970, reserved: 20, spent: 10 });
    expect(await f.store.listReservations(m)).toHaveLength(1);
    expect((await ledger(m)).map((e) => e.op)).toEqual(['set', 'apply', 'deduct']);
  });

  it('shows money even when it was never set; returns null for an unknown account', async () => {
    const m = await account({ [FREE_SECONDS]: 60 });
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 0, reserved: 0, spent: 0 });
    expect(await f.store.getAccount(msisdn())).toBeNull();
  });

  it('refuses bad attributes', async () => {
    await expect(f.store.upsertAccount({ msisdn: msisdn(), minThreshold: -1 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(f.store.upsertAccount({ msisdn: msisdn(), buckets: { 'a;b': 1 } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const k = f.store.keys.account(msisdn());
    const args = [k.account, k.ledger, NOW, 100, 'active', 0, 0, '1', '', '', 0];
    await expect(f.redis.ocsUpsertAccount(...args.map((a, i) => (i === 4 ? 'closed' : a)))).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('status'),
    ]);
    await expect(f.redis.ocsUpsertAccount(...args.map((a, i) => (i === 7 ? 'yes' : a)))).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('prepaid'),
    ]);
    expect(await f.redis.exists(k.account)).toBe(0);
  });
});

describe('topup and refund', () => {
  it.each(['topup', 'refund'] as const)(
    '%s adds to available, keeps spent, and writes the ledger',
    async (kind) => {
      const m = await account({ money: 100 });
      const id = opId();
      await expect(
        f.store[kind]({ opId: id, msisdn: m, amount: 250, nowMs: NOW, reference: 'voucher-1' }),
      ).resolves.toEqual({
        bucket: 'money',
        available: 350,
      });
      expect((await ledger(m)).at(-1)).toMatchObject({
        op: kind,
        opId: id,
        deltas: { money: { available: 250, reserved: 0, spent: 0 } },
        moneyAvailableAfter: 350,
        extra: { ref: 'voucher-1' },
      });
    },
  );

  it('credits another bucket, creating it', async () => {
    const m = await account({ money: 100 });
    await expect(
      f.store.topup({ opId: opId(), msisdn: m, bucket: FREE_CREDIT, amount: 1000, nowMs: NOW }),
    ).resolves.toEqual({
      bucket: FREE_CREDIT,
      available: 1000,
    });
    expect((await ledger(m)).at(-1)?.moneyAvailableAfter).toBe(100);
  });

  it('applies a replayed top-up once', async () => {
    const m = await account({ money: 100 });
    const t = { opId: opId(), msisdn: m, amount: 50, nowMs: NOW };
    const first = await f.store.topup(t);
    await expect(f.store.topup(t)).resolves.toEqual(first);
    await expect(f.store.topup({ ...t, amount: 70 })).resolves.toEqual(first);
    expect(await bucket(m)).toMatchObject({ available: 150 });
  });

  it('refuses an unknown account, a zero or fractional amount, and a bucket past the maximum', async () => {
    await expect(
      f.store.topup({ opId: opId(), msisdn: msisdn(), amount: 1, nowMs: NOW }),
    ).rejects.toBeInstanceOf(AccountNotFoundError);
    const m = await account({ money: MAX_AMOUNT - 10 });
    for (const amount of [0, -1, 1.5]) {
      await expect(f.store.refund({ opId: opId(), msisdn: m, amount, nowMs: NOW })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    await expect(f.store.topup({ opId: opId(), msisdn: m, amount: 11, nowMs: NOW })).rejects.toThrow(
      /would pass/,
    );
    await expect(f.store.topup({ opId: opId(), msisdn: m, amount: 10, nowMs: NOW })).resolves.toMatchObject({
      available: MAX_AMOUNT,
    });
  });
});

describe('setBucket', () => {
  it('sets available, keeps reserved and spent, and records the difference', async () => {
    const m = await account({ money: 1000 });
    await f.store.apply({
      opId: opId(),
      msisdn: m,
      sessionId: 's',
      ratingGroup: 0,
      tiers: SMS,
      units: 2,
      nowMs: NOW,
      expiresAtMs: NOW,
    });
    await expect(
      f.store.setBucket({ opId: opId(), msisdn: m, bucket: 'money', available: 300, nowMs: NOW }),
    ).resolves.toEqual({
      bucket: 'money',
      before: 980,
      available: 300,
    });
    expect(await bucket(m)).toEqual({ available: 300, reserved: 20, spent: 0 });
    expect((await ledger(m)).at(-1)).toMatchObject({
      op: 'set',
      deltas: { money: { available: -680, reserved: 0, spent: 0 } },
    });
  });

  it('refuses an unknown account and a negative value; replays once', async () => {
    await expect(
      f.store.setBucket({ opId: opId(), msisdn: msisdn(), bucket: 'money', available: 1, nowMs: NOW }),
    ).rejects.toBeInstanceOf(AccountNotFoundError);
    const m = await account();
    await expect(
      f.store.setBucket({ opId: opId(), msisdn: m, bucket: 'money', available: -1, nowMs: NOW }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    const s = { opId: opId(), msisdn: m, bucket: FREE_SECONDS, available: 60, nowMs: NOW };
    const first = await f.store.setBucket(s);
    await f.store.setBucket({ ...s, opId: opId(), available: 0 });
    await expect(f.store.setBucket(s)).resolves.toEqual(first);
    expect(await bucket(m, FREE_SECONDS)).toMatchObject({ available: 0 });
  });
});

describe('directDebit', () => {
  it('charges now, from available straight to spent', async () => {
    const m = await account({ money: 100 });
    const id = opId();
    await expect(
      f.store.directDebit({ opId: id, msisdn: m, tiers: SMS, units: 2, nowMs: NOW, sessionId: 'sms-1' }),
    ).resolves.toEqual({
      charged: 2,
      uncharged: 0,
      amounts: { money: 20 },
      moneyAvailable: 80,
    });
    expect(await bucket(m)).toEqual({ available: 80, reserved: 0, spent: 20 });
    expect((await ledger(m)).at(-1)).toMatchObject({
      op: 'debit',
      opId: id,
      session: 'sms-1',
      ratingGroup: null,
      deltas: { money: { available: -20, reserved: 0, spent: 20 } },
      extra: { used: '2', uncharged: '0' },
    });
  });

  it('uses free credit first, across tiers', async () => {
    const m = await account({ [FREE_SECONDS]: 60, money: 100 });
    await expect(
      f.store.directDebit({ opId: opId(), msisdn: m, tiers: VPN_TIERS, units: 150, nowMs: NOW }),
    ).resolves.toEqual({
      charged: 150,
      uncharged: 0,
      amounts: { [FREE_SECONDS]: 60, money: 10 },
      moneyAvailable: 90,
    });
  });

  it('is all or nothing by default (INSUFFICIENT_FUNDS), keeping the minimum threshold', async () => {
    const m = await account({ money: 35 }, { minThreshold: 10 });
    await expect(
      f.store.directDebit({ opId: opId(), msisdn: m, tiers: SMS, units: 3, nowMs: NOW }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await bucket(m)).toEqual({ available: 35, reserved: 0, spent: 0 });
    expect(await ledger(m)).toHaveLength(1);
  });

  it('charges what it can with partial, and refuses with CREDIT_LIMIT_REACHED when that is nothing', async () => {
    const m = await account({ money: 25 });
    await expect(
      f.store.directDebit({
        opId: opId(),
        msisdn: m,
        tiers: SMS,
        units: 3,
        nowMs: NOW,
        partial: true,
        ratingGroup: 4,
      }),
    ).resolves.toEqual({ charged: 2, uncharged: 1, amounts: { money: 20 }, moneyAvailable: 5 });
    expect((await ledger(m)).at(-1)).toMatchObject({ ratingGroup: 4, extra: { used: '3', uncharged: '1' } });
    await expect(
      f.store.directDebit({ opId: opId(), msisdn: m, tiers: SMS, units: 1, nowMs: NOW, partial: true }),
    ).rejects.toBeInstanceOf(CreditLimitReachedError);
  });

  it('authenticates in the same call when asked', async () => {
    const blocked = await account({ money: 100 }, { status: 'blocked' });
    await expect(
      f.store.directDebit({
        opId: opId(),
        msisdn: blocked,
        tiers: SMS,
        units: 1,
        nowMs: NOW,
        authenticate: true,
      }),
    ).rejects.toBeInstanceOf(AccountBlockedError);
    const postpaid = await account({ money: 100 }, { prepaid: false });
    await expect(
      f.store.directDebit({
        opId: opId(),
        msisdn: postpaid,
        tiers: SMS,
        units: 1,
        nowMs: NOW,
        authenticate: true,
      }),
    ).rejects.toBeInstanceOf(AccountPostpaidError);
    await expect(
      f.store.directDebit({ opId: opId(), msisdn: msisdn(), tiers: SMS, units: 1, nowMs: NOW }),
    ).rejects.toBeInstanceOf(AccountNotFoundError);
  });

  it('charges once for a replayed operation id', async () => {
    const m = await account({ money: 100 });
    const d = { opId: opId(), msisdn: m, tiers: SMS, units: 1, nowMs: NOW };
    const first = await f.store.directDebit(d);
    await expect(f.store.directDebit(d)).resolves.toEqual(first);
    expect(await bucket(m)).toMatchObject({ available: 90, spent: 10 });
  });

  it("refuses a bad 'partial' flag in the script", async () => {
    const m = await account({ money: 100 });
    const k = f.store.keys.account(m);
    await expect(
      f.redis.ocsDirectDebit(
        k.account,
        k.ledger,
        f.store.keys.operation(m, 'x'),
        'x',
        NOW,
        60,
        100,
        '',
        '',
        1,
        'maybe',
        '0',
        1,
        'money',
        1,
        10,
        '',
      ),
    ).resolves.toEqual([BalanceCode.INVALID_ARGUMENT, expect.stringContaining('partial')]);
  });
});

describe('resetFreeCredits', () => {
  it('gives each bucket its allowance once per period; a second run changes nothing', async () => {
    const m = await account({ [FREE_SECONDS]: 18_000, [FREE_CREDIT]: 1000, money: 500 });
    await f.store.directDebit({ opId: opId(), msisdn: m, tiers: VPN_TIERS, units: 18_000 + 600, nowMs: NOW });
    expect(await bucket(m, FREE_SECONDS)).toEqual({ available: 0, reserved: 0, spent: 18_000 });
    expect(await bucket(m, FREE_CREDIT)).toEqual({ available: 950, reserved: 0, spent: 50 });

    const reset = {
      msisdn: m,
      buckets: { [FREE_SECONDS]: 18_000, [FREE_CREDIT]: 1000 },
      period: '2026-12',
      nowMs: NOW,
    };
    await expect(f.store.resetFreeCredits(reset)).resolves.toEqual({
      reset: [FREE_SECONDS, FREE_CREDIT],
      skipped: [],
    });
    const after = await f.store.getAccount(m);
    expect(after?.buckets[FREE_SECONDS]).toEqual({ available: 18_000, reserved: 0, spent: 18_000 });
    expect(after?.buckets[FREE_CREDIT]).toEqual({ available: 1000, reserved: 0, spent: 50 });
    expect(after?.resetPeriods).toEqual({ [FREE_SECONDS]: '2026-12', [FREE_CREDIT]: '2026-12' });
    expect((await ledger(m)).at(-1)).toMatchObject({
      op: 'reset',
      opId: 'reset:2026-12',
      deltas: { [FREE_SECONDS]: { available: 18_000 }, [FREE_CREDIT]: { available: 50 } },
      extra: { period: '2026-12' },
    });

    await f.store.directDebit({ opId: opId(), msisdn: m, tiers: VPN_TIERS, units: 60, nowMs: NOW });
    const ledgerLength = (await ledger(m)).length;
    await expect(f.store.resetFreeCredits(reset)).resolves.toEqual({
      reset: [],
      skipped: [FREE_SECONDS, FREE_CREDIT],
    });
    await expect(f.store.resetFreeCredits({ ...reset, period: '2026-11' })).resolves.toEqual({
      reset: [],
      skipped: [FREE_SECONDS, FREE_CREDIT],
    });
    expect(await bucket(m, FREE_SECONDS)).toEqual({ available: 17_940, reserved: 0, spent: 18_060 });
    expect(await ledger(m)).toHaveLength(ledgerLength);

    await expect(f.store.resetFreeCredits({ ...reset, period: '2027-01' })).resolves.toEqual({
      reset: [FREE_SECONDS, FREE_CREDIT],
      skipped: [],
    });
    expect(await bucket(m, FREE_SECONDS)).toMatchObject({ available: 18_000 });
  });

  it('counts what sessions hold frozen against the new allowance', async () => {
    const m = await account({ [FREE_SECONDS]: 600 });
    await f.store.apply({
      opId: opId(),
      msisdn: m,
      sessionId: 's',
      ratingGroup: 0,
      tiers: VPN_TIERS,
      units: 120,
      nowMs: NOW,
      expiresAtMs: NOW,
    });
    await f.store.resetFreeCredits({ msisdn: m, buckets: { [FREE_SECONDS]: 300 }, period: '2026-12' });
    expect(await bucket(m, FREE_SECONDS)).toEqual({ available: 180, reserved: 120, spent: 0 });
    await f.store.resetFreeCredits({ msisdn: m, buckets: { [FREE_SECONDS]: 60 }, period: '2027-01' });
    expect(await bucket(m, FREE_SECONDS)).toEqual({ available: 0, reserved: 120, spent: 0 });
  });

  it('refuses money, a bad period and an unknown account', async () => {
    const m = await account({ money: 5 });
    await expect(
      f.store.resetFreeCredits({ msisdn: m, buckets: { money: 1 }, period: '2026-12' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    for (const period of ['2026-13', '2026-1', '26-12', '2026-00']) {
      await expect(
        f.store.resetFreeCredits({ msisdn: m, buckets: { [FREE_SECONDS]: 1 }, period }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(
      f.store.resetFreeCredits({ msisdn: msisdn(), buckets: { [FREE_SECONDS]: 1 }, period: '2026-12' }),
    ).rejects.toBeInstanceOf(AccountNotFoundError);
    const k = f.store.keys.account(m);
    await expect(
      f.redis.ocsResetFreeCredits(k.account, k.ledger, NOW, 100, '2026-13', 1, FREE_SECONDS, 1),
    ).resolves.toEqual([BalanceCode.INVALID_ARGUMENT, expect.stringContaining('period')]);
    expect(await bucket(m)).toEqual({ available: 5, reserved: 0, spent: 0 });
  });
});
