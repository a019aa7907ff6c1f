/**
 * settle checks the account again in the same call (RFC 4006 §5.1.2): a blocked, lost or
 * expired account has its usage charged and its reservation returned, and gets no new grant.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountView, SettleRequest } from '../../../src/balance/index.js';
import { balanceFixture, msisdn, VOICE } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const T1 = NOW + 60_000;
const T2 = NOW + 120_000;
let n = 0;

async function openSession(status: AccountView['status'], validUntil = 0) {
  const m = msisdn();
  const sessionId = `recheck-${++n}`;
  await f.store.upsertAccount({ msisdn: m, buckets: { money: 1000 } });
  await f.store.apply({
    opId: `${sessionId}#0`,
    msisdn: m,
    sessionId,
    ratingGroup: 0,
    tiers: VOICE,
    units: 120,
    nowMs: NOW,
    expiresAtMs: T1,
  });
  // Changed after the grant, as an operator would during the call.
  await f.store.upsertAccount({ msisdn: m, status, validUntil });
  const settle: SettleRequest = {
    opId: `${sessionId}#1`,
    msisdn: m,
    sessionId,
    ratingGroup: 0,
    used: 30,
    units: 120,
    tiers: VOICE,
    expiresAtMs: T2,
    nowMs: NOW + 30_000,
  };
  return { m, settle };
}

describe('settle checks the account again', () => {
  it.each([
    ['blocked', 'ACCOUNT_BLOCKED'],
    ['lost', 'ACCOUNT_LOST'],
  ] as const)('a %s account: usage charged, reservation returned, no grant', async (status, denial) => {
    const { m, settle } = await openSession(status);
    await expect(f.store.settle(settle)).resolves.toEqual({
      settled: true,
      charged: 30,
      uncharged: 0,
      amounts: { money: 15 },
      returned: { money: 15 },
      releasedExpiresAtMs: T1,
      granted: 0,
      final: false,
      creditLimitReached: false,
      expiresAtMs: 0,
      tiers: [],
      moneyAvailable: 985,
      accountDenied: denial,
    });
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 985, reserved: 0, spent: 15 });
    expect(await f.store.listReservations(m)).toEqual([]);
    expect(await f.indexScore(m, settle.sessionId)).toBeNull();
  });

  it('an account past its validity, by the caller clock', async () => {
    const { settle } = await openSession('active', Math.floor((NOW + 10_000) / 1000));
    await expect(f.store.settle(settle)).resolves.toMatchObject({
      charged: 30,
      granted: 0,
      accountDenied: 'ACCOUNT_EXPIRED',
    });
  });

  it('an active account is granted as before, with nothing denied', async () => {
    const { settle } = await openSession('active');
    const result = await f.store.settle(settle);
    expect(result).toMatchObject({ charged: 30, granted: 120 });
    expect(result).not.toHaveProperty('accountDenied');
  });
});
