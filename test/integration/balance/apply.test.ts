import { afterAll, describe, expect, it } from 'vitest';
import {
  AccountBlockedError,
  AccountExpiredError,
  AccountLostError,
  AccountNotFoundError,
  AccountPostpaidError,
  BalanceCode,
  BelowMinimumThresholdError,
  CreditLimitReachedError,
  InvalidArgumentError,
  ReservationExistsError,
  type ApplyRequest,
  type Tier,
} from '../../../src/balance/index.js';
import { balanceFixture, FREE_CREDIT, FREE_SECONDS, msisdn, VOICE, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
let n = 0;
function req(m: string, over: Partial<ApplyRequest> = {}): ApplyRequest {
  n += 1;
  return {
    opId: `op-${n}`,
    msisdn: m,
    sessionId: `sess-${n}`,
    ratingGroup: 0,
    tiers: VOICE,
    units: 60,
    nowMs: NOW,
    expiresAtMs: NOW + 60_000,
    ...over,
  };
}

async function account(buckets: Record<string, number>, more: object = {}): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets, ...more });
  return m;
}

async function indexScore(m: string, sessionId: string, rg = 0): Promise<string | null> {
  return f.redis.zscore(f.store.keys.reservationIndex(), `${m}|${rg}|${sessionId}`);
}

describe('apply', () => {
  it('freezes whole units across the tiers in order: free seconds, free credit, then money', async () => {
    const m = await account({ [FREE_SECONDS]: 300, [FREE_CREDIT]: 20, money: 10_000 });
    const r = req(m, { tiers: VPN_TIERS, units: 900 });
    await expect(f.store.apply(r)).resolves.toEqual({
      granted: 900,
      final: false,
      expiresAtMs: NOW + 60_000,
      tiers: [
        { bucket: FREE_SECONDS, units: 5, amount: 300 },
        { bucket: FREE_CREDIT, units: 4, amount: 20 },
        { bucket: 'money', units: 6, amount: 30 },
      ],
      moneyAvailable: 9970,
    });
    const view = await f.store.getAccount(m);
    expect(view?.buckets).toEqual({
      [FREE_SECONDS]: { available: 0, reserved: 300, spent: 0 },
      [FREE_CREDIT]: { available: 0, reserved: 20, spent: 0 },
      money: { available: 9970, reserved: 30, spent: 0 },
    });
    expect(await f.store.listReservations(m)).toEqual([
      {
        sessionId: r.sessionId,
        ratingGroup: 0,
        expiresAtMs: NOW + 60_000,
        units: 900,
        tiers: [
          { bucket: FREE_SECONDS, unitSize: 60, pricePerUnit: 60, units: 5, amount: 300 },
          { bucket: FREE_CREDIT, unitSize: 60, pricePerUnit: 5, units: 4, amount: 20 },
          { bucket: 'money', unitSize: 60, pricePerUnit: 5, units: 6, amount: 30 },
        ],
      },
    ]);
    expect(await indexScore(m, r.sessionId)).toBe(String(NOW + 60_000));
  });

  it('writes one ledger entry with the deltas of every bucket', async () => {
    const m = await account({ [FREE_SECONDS]: 120, money: 1000 });
    const r = req(m, { tiers: VPN_TIERS, units: 180, ratingGroup: 7 });
    await f.store.apply(r);
    const entries = await f.store.readLedger(m);
    expect(entries.map((e) => e.op)).toEqual(['set', 'apply']);
    expect(entries[1]).toMatchObject({
      op: 'apply',
      opId: r.opId,
      session: r.sessionId,
      ratingGroup: 7,
      deltas: {
        [FREE_SECONDS]: { available: -120, reserved: 120, spent: 0 },
        money: { available: -5, reserved: 5, spent: 0 },
      },
      moneyAvailableAfter: 995,
      ts: NOW,
      extra: { granted: '180' },
    });
  });

  it('grants whole units: a started unit is granted in full', async () => {
    const m = await account({ money: 1000 });
    await expect(f.store.apply(req(m, { units: 61 }))).resolves.toMatchObject({ granted: 120 });
  });

  it('is final when the request is only partly covered', async () => {
    const m = await account({ money: 45 });
    await expect(f.store.apply(req(m, { units: 600 }))).resolves.toMatchObject({
      granted: 180,
      final: true,
      moneyAvailable: 0,
    });
  });

  it('is final when covered but not one more unit could be paid', async () => {
    const m = await account({ money: 59 });
    await expect(f.store.apply(req(m, { units: 180 }))).resolves.toMatchObject({ granted: 180, final: true });
  });

  it('is not final while one more unit could be paid', async () => {
    const m = await account({ money: 60 });
    await expect(f.store.apply(req(m, { units: 180 }))).resolves.toMatchObject({
      granted: 180,
      final: false,
    });
  });

  it('never freezes the minimum threshold', async () => {
    const m = await account({ money: 100 }, { minThreshold: 40 });
    await expect(f.store.apply(req(m, { units: 600 }))).resolves.toMatchObject({
      granted: 240,
      final: true,
      moneyAvailable: 40,
    });
  });

  it('caps a tier at maxUnits without making the grant final; maxUnits 0 disables a tier', async () => {
    const m = await account({ [FREE_SECONDS]: 600, money: 10_000 });
    const tiers: Tier[] = [
      { bucket: FREE_SECONDS, unitSize: 60, pricePerUnit: 60, maxUnits: 0 },
      { bucket: 'money', unitSize: 60, pricePerUnit: 15, maxUnits: 2 },
    ];
    await expect(f.store.apply(req(m, { tiers, units: 600 }))).resolves.toMatchObject({
      granted: 120,
      final: false,
      tiers: [
        { bucket: FREE_SECONDS, units: 0, amount: 0 },
        { bucket: 'money', units: 2, amount: 30 },
      ],
    });
  });

  it('grants free units without limit when the price is 0, from a bucket that does not exist', async () => {
    const m = await account({});
    const tiers: Tier[] = [{ bucket: 'data:rg20', unitSize: 1_048_576, pricePerUnit: 0 }];
    await expect(
      f.store.apply(req(m, { tiers, units: 5 * 1_048_576 - 10, ratingGroup: 20 })),
    ).resolves.toEqual({
      granted: 5 * 1_048_576,
      final: false,
      expiresAtMs: NOW + 60_000,
      tiers: [{ bucket: 'data:rg20', units: 5, amount: 0 }],
      moneyAvailable: 0,
    });
  });

  it('shares one bucket between tiers without freezing it twice', async () => {
    const m = await account({ money: 100 });
    const tiers: Tier[] = [
      { bucket: 'money', unitSize: 60, pricePerUnit: 30, maxUnits: 2 },
      { bucket: 'money', unitSize: 60, pricePerUnit: 50 },
    ];
    // not final: the first tier's cap limits this grant only, and 40 still pays one of its units
    await expect(f.store.apply(req(m, { tiers, units: 600 }))).resolves.toMatchObject({
      granted: 120,
      final: false,
      tiers: [
        { bucket: 'money', units: 2, amount: 60 },
        { bucket: 'money', units: 0, amount: 0 },
      ],
      moneyAvailable: 40,
    });
  });

  it('keeps 15-digit amounts exact', async () => {
    const m = await account({ money: 999_999_999_999_999 });
    const tiers: Tier[] = [{ bucket: 'money', unitSize: 1, pricePerUnit: 333_333_333_333_334 }];
    await expect(f.store.apply(req(m, { tiers, units: 10 }))).resolves.toMatchObject({
      granted: 2,
      final: true,
      tiers: [{ bucket: 'money', units: 2, amount: 666_666_666_666_668 }],
      moneyAvailable: 333_333_333_333_331,
    });
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({
      available: 333_333_333_333_331,
      reserved: 666_666_666_666_668,
      spent: 0,
    });
  });

  it('refuses with CREDIT_LIMIT_REACHED when not one unit is affordable, and changes nothing', async () => {
    const m = await account({ money: 14 });
    const r = req(m);
    await expect(f.store.apply(r)).rejects.toBeInstanceOf(CreditLimitReachedError);
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 14, reserved: 0, spent: 0 });
    expect(await f.store.listReservations(m)).toEqual([]);
    expect((await f.store.readLedger(m)).map((e) => e.op)).toEqual(['set']);
    expect(await indexScore(m, r.sessionId)).toBeNull();
  });

  it('refuses an unknown account and leaves no index entry', async () => {
    const m = msisdn();
    const r = req(m);
    await expect(f.store.apply(r)).rejects.toBeInstanceOf(AccountNotFoundError);
    expect(await indexScore(m, r.sessionId)).toBeNull();
  });

  it('refuses a second reservation for the same session and rating group; another rating group is fine', async () => {
    const m = await account({ money: 1000 });
    const first = req(m);
    await f.store.apply(first);
    const again = req(m, { sessionId: first.sessionId });
    await expect(f.store.apply(again)).rejects.toBeInstanceOf(ReservationExistsError);
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 985, reserved: 15, spent: 0 });
    await expect(
      f.store.apply(req(m, { sessionId: first.sessionId, ratingGroup: 2 })),
    ).resolves.toMatchObject({
      granted: 60,
    });
  });

  describe('with authenticate', () => {
    it('grants on an account that passes', async () => {
      const m = await account({ money: 1000 });
      await expect(f.store.apply(req(m, { authenticate: true }))).resolves.toMatchObject({ granted: 60 });
    });

    it.each([
      ['blocked', { status: 'blocked' }, AccountBlockedError],
      ['lost', { status: 'lost' }, AccountLostError],
      ['expired', { validUntil: NOW / 1000 - 1 }, AccountExpiredError],
      ['below threshold', { minThreshold: 2000 }, BelowMinimumThresholdError],
      ['postpaid', { prepaid: false }, AccountPostpaidError],
    ])('refuses a %s account and changes nothing', async (_name, more, ErrorClass) => {
      const m = await account({ money: 1000 }, more);
      const r = req(m, { authenticate: true });
      await expect(f.store.apply(r)).rejects.toBeInstanceOf(ErrorClass);
      expect((await f.store.getAccount(m))?.buckets.money).toEqual({
        available: 1000,
        reserved: 0,
        spent: 0,
      });
      expect(await indexScore(m, r.sessionId)).toBeNull();
    });

    it('without the flag, does not check the status', async () => {
      const m = await account({ money: 1000 }, { status: 'blocked' });
      await expect(f.store.apply(req(m))).resolves.toMatchObject({ granted: 60 });
    });
  });

  describe('replayed operation ids', () => {
    it('return the first reply byte for byte and change nothing', async () => {
      const m = await account({ [FREE_SECONDS]: 300, money: 1000 });
      const r = req(m, { tiers: VPN_TIERS, units: 400 });
      const first = await f.store.apply(r);
      const before = await f.store.getAccount(m);
      const ledgerLength = await f.redis.xlen(f.store.keys.account(m).ledger);
      // even after the balance changed
      await f.store.topup({ opId: `${r.opId}-topup`, msisdn: m, amount: 5, nowMs: NOW });
      await expect(f.store.apply(r)).resolves.toEqual(first);
      await expect(f.store.apply({ ...r, units: 1 })).resolves.toEqual(first);
      const after = await f.store.getAccount(m);
      expect(after?.buckets[FREE_SECONDS]).toEqual(before?.buckets[FREE_SECONDS]);
      expect(after?.buckets.money?.available).toBe((before?.buckets.money?.available ?? 0) + 5);
      expect(await f.redis.xlen(f.store.keys.account(m).ledger)).toBe(ledgerLength + 1);
    });

    it('replay a refusal as the same refusal', async () => {
      const m = await account({ money: 0 });
      const r = req(m);
      await expect(f.store.apply(r)).rejects.toBeInstanceOf(CreditLimitReachedError);
      await f.store.topup({ opId: `${r.opId}-topup`, msisdn: m, amount: 1000, nowMs: NOW });
      await expect(f.store.apply(r)).rejects.toBeInstanceOf(CreditLimitReachedError);
      await expect(f.store.apply({ ...r, opId: `${r.opId}-retry` })).resolves.toMatchObject({ granted: 60 });
    });

    it('are byte-identical at the Redis reply level', async () => {
      const m = await account({ money: 1000 });
      const k = f.store.keys.account(m);
      const op = f.store.keys.operation(m, 'raw-1');
      const args = [k.account, k.reservations, k.ledger, op, 'raw-1', NOW, 60, 100];
      const call = () => f.redis.ocsApply(...args, 's-raw', 0, 61, NOW + 1000, '0', 1, 'money', 60, 15, '');
      const first = await call();
      expect(await call()).toEqual(first);
      expect(first).toEqual([
        0,
        [
          'granted',
          120,
          'final',
          0,
          'expiresAtMs',
          NOW + 1000,
          'tiers',
          ['money', 2, 30],
          'moneyAvailable',
          970,
        ],
      ]);
    });
  });

  describe('invalid arguments', () => {
    const good = (m: string, opId: string) => {
      const k = f.store.keys.account(m);
      return [
        k.account,
        k.reservations,
        k.ledger,
        f.store.keys.operation(m, opId),
        opId,
        String(NOW),
        '60',
        '100',
        'sess',
        '0',
        '60',
        String(NOW + 1000),
        '0',
        '1',
        'money',
        '60',
        '15',
        '',
      ];
    };

    it.each([
      [4, '', 'opId'],
      [5, '-1', 'nowMs'],
      [5, '1.5', 'nowMs'],
      [5, '1234567890123456', 'nowMs'],
      [6, '0', 'opTtlSeconds'],
      [7, '0', 'ledgerMaxLen'],
      [8, '', 'sessionId'],
      [9, '4294967296', 'ratingGroup'],
      [9, 'x', 'ratingGroup'],
      [10, '0', 'units'],
      [10, '-5', 'units'],
      [11, 'soon', 'expiresAtMs'],
      [13, '0', 'tiers'],
      [13, '17', 'tiers'],
      [14, 'a b', 'tiers[0].bucket'],
      [14, 'x=y', 'tiers[0].bucket'],
      [15, '0', 'tiers[0].unitSize'],
      [16, '-1', 'tiers[0].pricePerUnit'],
      [16, '1.5', 'tiers[0].pricePerUnit'],
      [17, 'none', 'tiers[0].maxUnits'],
    ])('refuses argument %i = %j (%s), changes nothing and does not remember it', async (i, bad, field) => {
      const m = await account({ money: 1000 });
      const opId = `bad-${i}-${bad}`;
      const args = good(m, opId);
      args[i] = bad;
      const reply = (await f.redis.ocsApply(...args)) as [number, string];
      expect(reply[0]).toBe(BalanceCode.INVALID_ARGUMENT);
      expect(reply[1]).toContain(field);
      expect((await f.store.getAccount(m))?.buckets.money).toEqual({
        available: 1000,
        reserved: 0,
        spent: 0,
      });
      if (field !== 'opId') {
        expect(await f.redis.exists(f.store.keys.operation(m, opId))).toBe(0);
      }
      // the same opId with good arguments runs normally
      const fixed = good(m, opId);
      await expect(f.redis.ocsApply(...fixed)).resolves.toMatchObject([0, expect.any(Array)]);
    });

    it('are refused by the store before any round trip', async () => {
      const m = await account({ money: 1000 });
      const bad: Partial<ApplyRequest>[] = [
        { units: 1.5 },
        { units: 0 },
        { units: Number.MAX_SAFE_INTEGER },
        { nowMs: -1 },
        { ratingGroup: -1 },
        { sessionId: '' },
        { opId: '' },
        { tiers: [] },
        { tiers: [{ bucket: 'money', unitSize: 0, pricePerUnit: 1 }] },
        { tiers: [{ bucket: 'money', unitSize: 60, pricePerUnit: 0.5 }] },
        { tiers: [{ bucket: 'no spaces', unitSize: 60, pricePerUnit: 1 }] },
      ];
      for (const over of bad) {
        const r = req(m, over);
        await expect(f.store.apply(r), JSON.stringify(over)).rejects.toBeInstanceOf(InvalidArgumentError);
        expect(await indexScore(m, r.sessionId)).toBeNull();
      }
      expect(() => f.store.keys.account('{x}')).toThrow(RangeError);
    });
  });
});
