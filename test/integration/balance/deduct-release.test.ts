import { afterAll, describe, expect, it } from 'vitest';
import {
  AccountNotFoundError,
  BalanceCode,
  ReservationNotFoundError,
  type ReservationRef,
} from '../../../src/balance/index.js';
import { balanceFixture, FREE_SECONDS, msisdn, VOICE, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
let n = 0;

/** An account with a reservation of `units` on `tiers`. */
async function reserved(
  buckets: Record<string, number>,
  units: number,
  tiers = VOICE,
  more: object = {},
): Promise<ReservationRef & { next(): string }> {
  const m = msisdn();
  n += 1;
  const sessionId = `sess-${n}`;
  let step = 0;
  const next = () => `${sessionId}#${(step += 1)}`;
  await f.store.upsertAccount({ msisdn: m, buckets, ...more });
  await f.store.apply({
    opId: next(),
    msisdn: m,
    sessionId,
    ratingGroup: 0,
    tiers,
    units,
    nowMs: NOW,
    expiresAtMs: NOW + 60_000,
  });
  return { opId: '', msisdn: m, sessionId, ratingGroup: 0, nowMs: NOW + 1000, next };
}

const money = async (m: string) => (await f.store.getAccount(m))?.buckets.money;
const ops = async (m: string) => (await f.store.readLedger(m)).map((e) => e.op);

describe('deduct', () => {
  it('charges started units in full, tier by tier, and keeps the rest reserved', async () => {
    const r = await reserved({ [FREE_SECONDS]: 300, money: 1000 }, 600, VPN_TIERS);
    await expect(f.store.deduct({ ...r, opId: r.next(), used: 330 })).resolves.toEqual({
      charged: 330,
      uncharged: 0,
      amounts: { [FREE_SECONDS]: 300, money: 5 },
      remaining: 240,
      moneyAvailable: 975,
    });
    const view = await f.store.getAccount(r.msisdn);
    expect(view?.buckets[FREE_SECONDS]).toEqual({ available: 0, reserved: 0, spent: 300 });
    expect(view?.buckets.money).toEqual({ available: 975, reserved: 20, spent: 5 });
    const last = (await f.store.readLedger(r.msisdn)).at(-1);
    expect(last).toMatchObject({
      op: 'deduct',
      session: r.sessionId,
      deltas: {
        [FREE_SECONDS]: { available: 0, reserved: -300, spent: 300 },
        money: { available: 0, reserved: -5, spent: 5 },
      },
      moneyAvailableAfter: 975,
      extra: { used: '330', uncharged: '0' },
    });
  });

  it('charges each report on its own: two deducts of 30 s cost two minutes', async () => {
    const r = await reserved({ money: 1000 }, 300);
    await f.store.deduct({ ...r, opId: r.next(), used: 30 });
    await expect(f.store.deduct({ ...r, opId: r.next(), used: 30 })).resolves.toMatchObject({
      remaining: 180,
    });
    expect(await money(r.msisdn)).toEqual({ available: 925, reserved: 45, spent: 30 });
  });

  it('writes nothing for zero usage', async () => {
    const r = await reserved({ money: 1000 }, 60);
    await expect(f.store.deduct({ ...r, opId: r.next(), used: 0 })).resolves.toMatchObject({
      charged: 0,
      amounts: {},
      remaining: 60,
    });
    expect(await ops(r.msisdn)).toEqual(['set', 'apply']);
  });

  it('charges usage above the grant from what is available (charge-available)', async () => {
    const r = await reserved({ money: 100 }, 120);
    await expect(f.store.deduct({ ...r, opId: r.next(), used: 300 })).resolves.toEqual({
      charged: 300,
      uncharged: 0,
      amounts: { money: 75 },
      remaining: 0,
      moneyAvailable: 25,
    });
    expect(await money(r.msisdn)).toEqual({ available: 25, reserved: 0, spent: 75 });
  });

  it('never takes the balance below zero, and reports what it could not charge', async () => {
    const r = await reserved({ money: 50 }, 120, VOICE, { minThreshold: 10 });
    // 30 frozen, 20 available: the overuse may dig into the threshold, not below zero
    await expect(f.store.deduct({ ...r, opId: r.next(), used: 600 })).resolves.toEqual({
      charged: 180,
      uncharged: 420,
      amounts: { money: 45 },
      remaining: 0,
      moneyAvailable: 5,
    });
    const last = (await f.store.readLedger(r.msisdn)).at(-1);
    expect(last?.extra).toEqual({ used: '600', uncharged: '420' });
  });

  it("charges only what was reserved under 'refuse', and records the rest as uncharged", async () => {
    const r = await reserved({ money: 100 }, 120);
    await expect(f.store.deduct({ ...r, opId: r.next(), used: 600, overuse: 'refuse' })).resolves.toEqual({
      charged: 120,
      uncharged: 480,
      amounts: { money: 30 },
      remaining: 0,
      moneyAvailable: 70,
    });
    // a later deduct with nothing reserved still leaves a trace of the uncharged usage
    await f.store.deduct({ ...r, opId: r.next(), used: 60, overuse: 'refuse' });
    const last = (await f.store.readLedger(r.msisdn)).at(-1);
    expect(last).toMatchObject({ op: 'deduct', deltas: {}, extra: { used: '60', uncharged: '60' } });
  });

  it('refuses an unknown reservation or account', async () => {
    const r = await reserved({ money: 100 }, 60);
    await expect(
      f.store.deduct({ ...r, opId: r.next(), sessionId: 'other', used: 1 }),
    ).rejects.toBeInstanceOf(ReservationNotFoundError);
    await expect(f.store.deduct({ ...r, opId: r.next(), ratingGroup: 9, used: 1 })).rejects.toBeInstanceOf(
      ReservationNotFoundError,
    );
    await expect(f.store.deduct({ ...r, opId: r.next(), msisdn: msisdn(), used: 1 })).rejects.toBeInstanceOf(
      AccountNotFoundError,
    );
  });

  it('charges once for a replayed operation id', async () => {
    const r = await reserved({ money: 1000 }, 300);
    const d = { ...r, opId: r.next(), used: 100 };
    const first = await f.store.deduct(d);
    await expect(f.store.deduct(d)).resolves.toEqual(first);
    await expect(f.store.deduct({ ...d, used: 300 })).resolves.toEqual(first);
    expect(await money(r.msisdn)).toEqual({ available: 925, reserved: 45, spent: 30 });
    expect(await ops(r.msisdn)).toEqual(['set', 'apply', 'deduct']);
  });

  it('refuses a bad overuse policy or usage in the script', async () => {
    const r = await reserved({ money: 1000 }, 300);
    const k = f.store.keys.account(r.msisdn);
    const keys = [k.account, k.reservations, k.ledger, f.store.keys.operation(r.msisdn, 'x')];
    const base = ['x', NOW, 60, 100, r.sessionId, 0];
    await expect(f.redis.ocsDeduct(...keys, ...base, 10, 'free')).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('overuse'),
    ]);
    await expect(f.redis.ocsDeduct(...keys, ...base, -1, 'refuse')).resolves.toEqual([
      BalanceCode.INVALID_ARGUMENT,
      expect.stringContaining('used'),
    ]);
    expect(await money(r.msisdn)).toEqual({ available: 925, reserved: 75, spent: 0 });
  });
});

describe('release', () => {
  it('unfreezes what is left, removes the reservation and its index entry', async () => {
    const r = await reserved({ [FREE_SECONDS]: 300, money: 1000 }, 600, VPN_TIERS);
    await f.store.deduct({ ...r, opId: r.next(), used: 330 });
    await expect(f.store.release({ ...r, opId: r.next() })).resolves.toEqual({
      returned: { money: 20 },
      expiresAtMs: NOW + 60_000,
      moneyAvailable: 995,
    });
    expect(await money(r.msisdn)).toEqual({ available: 995, reserved: 0, spent: 5 });
    expect(await f.store.listReservations(r.msisdn)).toEqual([]);
    expect(await f.indexScore(r.msisdn, r.sessionId)).toBeNull();
    expect((await f.store.readLedger(r.msisdn)).at(-1)).toMatchObject({
      op: 'return',
      deltas: { money: { available: 20, reserved: -20, spent: 0 } },
    });
  });

  it('removes an empty reservation without a ledger entry', async () => {
    const r = await reserved({ money: 1000 }, 60);
    await f.store.deduct({ ...r, opId: r.next(), used: 60 });
    await expect(f.store.release({ ...r, opId: r.next() })).resolves.toMatchObject({ returned: {} });
    expect(await ops(r.msisdn)).toEqual(['set', 'apply', 'deduct']);
  });

  it('refuses an unknown reservation or account; a second release finds nothing', async () => {
    const r = await reserved({ money: 1000 }, 60);
    await f.store.release({ ...r, opId: r.next() });
    await expect(f.store.release({ ...r, opId: r.next() })).rejects.toBeInstanceOf(ReservationNotFoundError);
    await expect(f.store.release({ ...r, opId: r.next(), msisdn: msisdn() })).rejects.toBeInstanceOf(
      AccountNotFoundError,
    );
  });

  it('returns once for a replayed operation id', async () => {
    const r = await reserved({ money: 1000 }, 120);
    const rel = { ...r, opId: r.next() };
    const first = await f.store.release(rel);
    await expect(f.store.release(rel)).resolves.toEqual(first);
    expect(await money(r.msisdn)).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect(await ops(r.msisdn)).toEqual(['set', 'apply', 'return']);
  });
});
