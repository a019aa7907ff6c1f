/**
 * A refund that names its charge (TS 32.299 §7.2.171 Refund-Information): a refundable direct
 * debit keeps what it took in money under a reference, in the same script call, and a refund
 * naming that reference credits no more than the charge took less what was refunded against
 * it, checked and credited in one call, so that refunds at once never add up to more.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChargeUnknownError,
  RefundAboveChargeError,
  type RefundChargeRequest,
  type Tier,
} from '../../../src/balance/index.js';
import { balanceFixture, FREE_SECONDS, msisdn, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const SMS: Tier[] = [{ bucket: 'money', unitSize: 1, pricePerUnit: 10 }];
const DAY = 86_400;
let n = 0;
const opId = () => `op-${(n += 1)}`;

async function account(buckets: Record<string, number>): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets });
  return m;
}
const money = async (m: string) => (await f.store.getAccount(m))?.buckets.money;
const charge = (m: string, ref: string) => f.redis.hgetall(f.store.keys.charge(m, ref));

/** Ten messages at 10: a charge of 100. */
async function debit(m: string, keepChargeSeconds = DAY): Promise<string> {
  const result = await f.store.directDebit({
    opId: opId(),
    msisdn: m,
    tiers: SMS,
    units: 10,
    nowMs: NOW,
    keepChargeSeconds,
  });
  expect(result.charge).toMatch(/^[0-9a-f]{32}$/);
  return result.charge!;
}

function refund(m: string, ref: string, amount: number, id = opId()): RefundChargeRequest {
  return { opId: id, msisdn: m, amount, charge: ref, nowMs: NOW, sessionId: 'refund-1' };
}

describe('a refundable direct debit', () => {
  it('keeps what it took in money, for the time asked, and names it in its ledger entry', async () => {
    const m = await account({ money: 500 });
    const id = opId();
    const req = { opId: id, msisdn: m, tiers: SMS, units: 10, nowMs: NOW, keepChargeSeconds: DAY };
    const result = await f.store.directDebit(req);
    expect(result).toEqual({
      charged: 10,
      uncharged: 0,
      amounts: { money: 100 },
      moneyAvailable: 400,
      charge: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const ref = result.charge!;
    expect(await charge(m, ref)).toEqual({ charged: '100', refunded: '0' });
    const ttl = await f.redis.ttl(f.store.keys.charge(m, ref));
    expect(ttl).toBeGreaterThan(DAY - 5);
    expect(ttl).toBeLessThanOrEqual(DAY);
    expect((await f.store.readLedger(m)).at(-1)).toMatchObject({
      op: 'debit',
      opId: id,
      extra: { used: '10', uncharged: '0', charge: ref },
    });

    // A replay answers the first reference and charges nothing more.
    await expect(f.store.directDebit(req)).resolves.toEqual(result);
    expect(await money(m)).toEqual({ available: 400, reserved: 0, spent: 100 });
    const refs = await f.redis.keys(`${f.prefix}charge:{${m}}:*`);
    expect(refs).toHaveLength(1);
  });

  it('keeps only the money it took, not free units', async () => {
    const m = await account({ [FREE_SECONDS]: 60, money: 100 });
    const result = await f.store.directDebit({
      opId: opId(),
      msisdn: m,
      tiers: VPN_TIERS,
      units: 150,
      nowMs: NOW,
      keepChargeSeconds: DAY,
    });
    expect(result.amounts).toEqual({ [FREE_SECONDS]: 60, money: 10 });
    expect(await charge(m, result.charge!)).toEqual({ charged: '10', refunded: '0' });
  });

  it('keeps nothing when refused', async () => {
    const m = await account({ money: 5 });
    await expect(
      f.store.directDebit({
        opId: opId(),
        msisdn: m,
        tiers: SMS,
        units: 1,
        nowMs: NOW,
        keepChargeSeconds: DAY,
      }),
    ).rejects.toThrow(/insufficient funds/);
    expect(await f.redis.keys(`${f.prefix}charge:{${m}}:*`)).toEqual([]);
  });
});

describe('a refund naming a charge', () => {
  it('gives back up to the charge, in parts that add up, and nothing past it', async () => {
    const m = await account({ money: 500 });
    const ref = await debit(m);
    await expect(f.store.refundCharge(refund(m, ref, 40))).resolves.toEqual({
      bucket: 'money',
      available: 440,
      refundable: 60,
    });
    const ledgerBefore = await f.store.readLedger(m);
    await expect(f.store.refundCharge(refund(m, ref, 61))).rejects.toThrow(RefundAboveChargeError);
    await expect(f.store.refundCharge(refund(m, ref, 61))).rejects.toThrow(/60 left to refund/);
    expect(await f.store.readLedger(m)).toEqual(ledgerBefore);
    expect(await money(m)).toEqual({ available: 440, reserved: 0, spent: 100 });

    await expect(f.store.refundCharge(refund(m, ref, 60))).resolves.toMatchObject({
      available: 500,
      refundable: 0,
    });
    await expect(f.store.refundCharge(refund(m, ref, 1))).rejects.toThrow(RefundAboveChargeError);
    expect(await money(m)).toEqual({ available: 500, reserved: 0, spent: 100 });
    expect(await charge(m, ref)).toEqual({ charged: '100', refunded: '100' });
    expect((await f.store.readLedger(m)).at(-1)).toMatchObject({
      op: 'refund',
      deltas: { money: { available: 60, reserved: 0, spent: 0 } },
      extra: { ref },
    });
  });

  it('never lets refunds at once pass the charge: 20 of 30% each, 3 succeed', async () => {
    const m = await account({ money: 500 });
    const ref = await debit(m);
    const clients = Array.from({ length: 4 }, () => f.storeWith({ redis: f.connect() }));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => clients[i % clients.length]!.refundCharge(refund(m, ref, 30))),
    );
    const done = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(done).toHaveLength(3);
    for (const r of refused) expect(r.reason).toBeInstanceOf(RefundAboveChargeError);
    expect(await money(m)).toEqual({ available: 490, reserved: 0, spent: 100 });
    expect(await charge(m, ref)).toEqual({ charged: '100', refunded: '90' });
  });

  it('is refused for a charge unknown, of another account, or no longer kept, crediting nothing', async () => {
    const m = await account({ money: 500 });
    const other = await account({ money: 500 });
    const theirs = await debit(other);
    await expect(f.store.refundCharge(refund(m, theirs, 10))).rejects.toThrow(ChargeUnknownError);
    await expect(f.store.refundCharge(refund(m, 'ab'.repeat(16), 10))).rejects.toThrow(ChargeUnknownError);
    // Not of the form this server gives: refused before Redis.
    await expect(f.store.refundCharge(refund(m, 'x}{', 10))).rejects.toThrow(ChargeUnknownError);

    const ref = await debit(m, 1);
    await sleep(1_100);
    await expect(f.store.refundCharge(refund(m, ref, 10))).rejects.toThrow(ChargeUnknownError);
    expect(await money(m)).toEqual({ available: 400, reserved: 0, spent: 100 });
    expect(await money(other)).toEqual({ available: 400, reserved: 0, spent: 100 });
    expect(await charge(other, theirs)).toEqual({ charged: '100', refunded: '0' });
  });

  it('answers a replayed operation id with its first result, counting it once', async () => {
    const m = await account({ money: 500 });
    const ref = await debit(m);
    const first = refund(m, ref, 70, 'refund-a');
    const result = await f.store.refundCharge(first);
    await expect(f.store.refundCharge(first)).resolves.toEqual(result);
    const refused = refund(m, ref, 70, 'refund-b');
    await expect(f.store.refundCharge(refused)).rejects.toThrow(RefundAboveChargeError);
    await expect(f.store.refundCharge(refund(m, ref, 30))).resolves.toMatchObject({ refundable: 0 });
    // The refused one stays refused: its first answer is kept.
    await expect(f.store.refundCharge({ ...refused, amount: 1 })).rejects.toThrow(RefundAboveChargeError);
    expect(await money(m)).toEqual({ available: 500, reserved: 0, spent: 100 });
    expect(await charge(m, ref)).toEqual({ charged: '100', refunded: '100' });
  });
});
