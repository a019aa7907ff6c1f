import { afterAll, describe, expect, it } from 'vitest';
import {
  AccountNotFoundError,
  InvalidArgumentError,
  ReservationNotFoundError,
  type SettleRequest,
} from '../../../src/balance/index.js';
import { balanceFixture, FREE_CREDIT, FREE_SECONDS, msisdn, VOICE, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const T1 = NOW + 60_000;
const T2 = NOW + 120_000;
let n = 0;

async function session(buckets: Record<string, number>, units = 120, tiers = VOICE) {
  const m = msisdn();
  n += 1;
  const sessionId = `sess-${n}`;
  await f.store.upsertAccount({ msisdn: m, buckets });
  if (units > 0) {
    await f.store.apply({
      opId: `${sessionId}#0`,
      msisdn: m,
      sessionId,
      ratingGroup: 0,
      tiers,
      units,
      nowMs: NOW,
      expiresAtMs: T1,
    });
  }
  const settle = (opId: string, over: Partial<SettleRequest>): SettleRequest => ({
    opId: `${sessionId}#${opId}`,
    msisdn: m,
    sessionId,
    ratingGroup: 0,
    used: 0,
    nowMs: NOW + 30_000,
    ...over,
  });
  return { m, sessionId, settle };
}

describe('settle', () => {
  it('deducts, returns the rest and grants anew in one call (CCR-U)', async () => {
    const { m, sessionId, settle } = await session({ money: 1000 });
    const r = settle('1', { used: 50, units: 120, tiers: VOICE, expiresAtMs: T2 });
    await expect(f.store.settle(r)).resolves.toEqual({
      settled: true,
      charged: 50,
      uncharged: 0,
      amounts: { money: 15 },
      returned: { money: 15 },
      releasedExpiresAtMs: T1,
      granted: 120,
      final: false,
      creditLimitReached: false,
      expiresAtMs: T2,
      tiers: [{ bucket: 'money', units: 2, amount: 30 }],
      moneyAvailable: 955,
    });
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 955, reserved: 30, spent: 15 });
    // One entry: the deduct (0/-15/+15), the return (+15/-15/0) and the grant (-30/+30/0) summed.
    expect((await f.store.readLedger(m)).slice(2)).toMatchObject([
      {
        op: 'settle',
        opId: r.opId,
        session: sessionId,
        ratingGroup: 0,
        deltas: { money: { available: -15, reserved: 0, spent: 15 } },
        moneyAvailableAfter: 955,
        extra: { used: '50', uncharged: '0', granted: '120' },
      },
    ]);
    expect(await f.store.listReservations(m)).toMatchObject([{ sessionId, expiresAtMs: T2, units: 120 }]);
    expect(await f.indexScore(m, sessionId)).toBe(T2);
  });

  it('returns before it grants, so the returned money pays for the new grant', async () => {
    const { settle } = await session({ money: 30 });
    await expect(
      f.store.settle(settle('1', { used: 0, units: 120, tiers: VOICE, expiresAtMs: T2 })),
    ).resolves.toMatchObject({
      returned: { money: 30 },
      granted: 120,
      final: true,
      moneyAvailable: 0,
    });
  });

  it('moves from free seconds to money when the tiers change between grants', async () => {
    const { m, settle } = await session({ [FREE_SECONDS]: 120, money: 100 }, 120, VPN_TIERS);
    await expect(
      f.store.settle(settle('1', { used: 120, units: 120, tiers: VPN_TIERS, expiresAtMs: T2 })),
    ).resolves.toMatchObject({
      amounts: { [FREE_SECONDS]: 120 },
      granted: 120,
      tiers: [
        { bucket: FREE_SECONDS, units: 0, amount: 0 },
        { bucket: 'vpn:vpn-300:free-credit', units: 0, amount: 0 },
        { bucket: 'money', units: 2, amount: 10 },
      ],
    });
    expect((await f.store.getAccount(m))?.buckets[FREE_SECONDS]).toEqual({
      available: 0,
      reserved: 0,
      spent: 120,
    });
  });

  it('settles without a new grant (CCR-T) and drops the index entry', async () => {
    const { m, sessionId, settle } = await session({ money: 1000 });
    await expect(f.store.settle(settle('T', { used: 61 }))).resolves.toEqual({
      settled: true,
      charged: 61,
      uncharged: 0,
      amounts: { money: 30 },
      returned: {},
      releasedExpiresAtMs: T1,
      granted: 0,
      final: false,
      creditLimitReached: false,
      expiresAtMs: 0,
      tiers: [],
      moneyAvailable: 970,
    });
    expect(await f.store.listReservations(m)).toEqual([]);
    expect(await f.indexScore(m, sessionId)).toBeNull();
  });

  it('reports a new grant that finds nothing affordable without failing the deduct', async () => {
    const { m, sessionId, settle } = await session({ money: 30 });
    await expect(
      f.store.settle(settle('1', { used: 120, units: 60, tiers: VOICE, expiresAtMs: T2 })),
    ).resolves.toMatchObject({
      settled: true,
      amounts: { money: 30 },
      granted: 0,
      final: true,
      creditLimitReached: true,
      expiresAtMs: 0,
      moneyAvailable: 0,
    });
    expect(await f.store.listReservations(m)).toEqual([]);
    expect(await f.indexScore(m, sessionId)).toBeNull();
    expect((await f.store.readLedger(m)).slice(1)).toMatchObject([
      { op: 'apply' },
      { op: 'settle', extra: { used: '120', uncharged: '0', granted: '0' } },
    ]);
  });

  it('acts as apply when there is no reservation and nothing was used', async () => {
    const { m, settle } = await session({ money: 1000 }, 0);
    await expect(
      f.store.settle(settle('1', { units: 60, tiers: VOICE, expiresAtMs: T2 })),
    ).resolves.toMatchObject({
      settled: false,
      releasedExpiresAtMs: 0,
      granted: 60,
      moneyAvailable: 985,
    });
    await expect(f.store.settle(settle('2', { used: 0 }))).resolves.toMatchObject({
      settled: true,
      returned: { money: 15 },
    });
    await expect(f.store.settle(settle('3', { used: 0 }))).resolves.toMatchObject({
      settled: false,
      granted: 0,
    });
    expect((await f.store.readLedger(m)).map((e) => [e.op, e.deltas, e.extra.granted])).toEqual([
      ['set', { money: { available: 1000, reserved: 0, spent: 0 } }, undefined],
      ['settle', { money: { available: -15, reserved: 15, spent: 0 } }, '60'],
      ['settle', { money: { available: 15, reserved: -15, spent: 0 } }, '0'],
    ]);
  });

  it('refuses usage without a reservation, and an unknown account', async () => {
    const { m, sessionId, settle } = await session({ money: 1000 }, 0);
    await expect(
      f.store.settle(settle('1', { used: 10, units: 60, tiers: VOICE, expiresAtMs: T2 })),
    ).rejects.toBeInstanceOf(ReservationNotFoundError);
    expect(await f.indexScore(m, sessionId)).toBeNull();
    await expect(
      f.store.settle({
        ...settle('2', { used: 0, units: 60, tiers: VOICE, expiresAtMs: T2 }),
        msisdn: msisdn(),
      }),
    ).rejects.toBeInstanceOf(AccountNotFoundError);
    expect(await f.indexScore(m, sessionId)).toBeNull();
  });

  it('needs tiers and an expiry when units are asked for', async () => {
    const { settle } = await session({ money: 1000 });
    await expect(f.store.settle(settle('1', { used: 10, units: 60 }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(f.store.settle(settle('1', { used: 10, units: 60, tiers: VOICE }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it("writes one entry whose deltas are each bucket's change: the deduct, return and grant summed", async () => {
    const { m, sessionId, settle } = await session(
      { [FREE_SECONDS]: 180, [FREE_CREDIT]: 10, money: 100 },
      300,
      VPN_TIERS,
    );
    const before = (await f.store.getAccount(m))!.buckets;
    const [held] = await f.store.listReservations(m);
    const ledgerBefore = await f.store.readLedger(m);
    const r = settle('1', { used: 200, units: 240, tiers: VPN_TIERS, expiresAtMs: T2 });
    const result = await f.store.settle(r);
    const after = (await f.store.getAccount(m))!.buckets;

    const written = (await f.store.readLedger(m)).slice(ledgerBefore.length);
    expect(written).toHaveLength(1);
    const [entry] = written;
    expect(entry).toMatchObject({
      op: 'settle',
      opId: r.opId,
      session: sessionId,
      ratingGroup: 0,
      moneyAvailableAfter: after.money!.available,
      extra: { used: '200', uncharged: '0', granted: String(result.granted) },
    });
    const buckets = new Set([...Object.keys(before), ...Object.keys(after)]);
    const sumOf = (holds: { bucket: string; amount: number }[], bucket: string) =>
      holds.filter((h) => h.bucket === bucket).reduce((sum, h) => sum + h.amount, 0);
    let moved = 0;
    for (const bucket of buckets) {
      const was = before[bucket] ?? { available: 0, reserved: 0, spent: 0 };
      const is = after[bucket] ?? { available: 0, reserved: 0, spent: 0 };
      const change = {
        available: is.available - was.available,
        reserved: is.reserved - was.reserved,
        spent: is.spent - was.spent,
      };
      const unchanged = change.available === 0 && change.reserved === 0 && change.spent === 0;
      expect(entry!.deltas[bucket], bucket).toEqual(unchanged ? undefined : change);
      // What the three steps moved, from the reply: deduct (amounts, within the reservation),
      // return (returned) and the new grant (tiers).
      const charged = result.amounts[bucket] ?? 0;
      const returned = result.returned[bucket] ?? 0;
      const granted = sumOf(result.tiers, bucket);
      const wasHeld = sumOf(held!.tiers, bucket);
      expect(wasHeld, bucket).toBe(charged + returned);
      expect(change, bucket).toEqual({
        available: returned - granted,
        reserved: -charged - returned + granted,
        spent: charged,
      });
      moved += Math.abs(change.available) + Math.abs(change.reserved) + Math.abs(change.spent);
    }
    expect(Object.keys(entry!.deltas).length).toBeGreaterThan(1);
    expect(moved).toBeGreaterThan(0);
  });

  it('returns what the reservation held, not the overuse charged from available', async () => {
    const { m, settle } = await session({ money: 1000 });
    const r = settle('1', { used: 300, units: 60, tiers: VOICE, expiresAtMs: T2 });
    await expect(f.store.settle(r)).resolves.toEqual({
      settled: true,
      charged: 300,
      uncharged: 0,
      amounts: { money: 75 },
      returned: {},
      releasedExpiresAtMs: T1,
      granted: 60,
      final: false,
      creditLimitReached: false,
      expiresAtMs: T2,
      tiers: [{ bucket: 'money', units: 1, amount: 15 }],
      moneyAvailable: 910,
    });
    expect((await f.store.readLedger(m)).at(-1)).toMatchObject({
      op: 'settle',
      deltas: { money: { available: -60, reserved: -15, spent: 75 } },
      extra: { used: '300', uncharged: '0', granted: '60' },
    });
  });

  it('settles once for a replayed operation id', async () => {
    const { m, settle } = await session({ money: 1000 });
    const r = settle('1', { used: 50, units: 120, tiers: VOICE, expiresAtMs: T2 });
    const first = await f.store.settle(r);
    const before = await f.store.getAccount(m);
    await expect(f.store.settle(r)).resolves.toEqual(first);
    expect(await f.store.getAccount(m)).toEqual(before);
    expect((await f.store.readLedger(m)).map((e) => e.op)).toEqual(['set', 'apply', 'settle']);
  });
});
