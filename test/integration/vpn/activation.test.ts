import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VpnError, type VpnErrorCode } from '../../../src/vpn/errors.js';
import { freeLevelBucket, type Package } from '../../../src/vpn/model.js';
import { MONTH, NOW, VPN_300, vpnFixture } from './fixture.js';

const f = vpnFixture();
afterAll(() => f.cleanup());

const VPN_100: Package = {
  id: 'vpn-100',
  monthlyFee: 200,
  items: ['intra-group-voice'],
  levels: [{ type: 'free', creditSeconds: 6000, unitSeconds: 60 }],
  smsPricePerMessage: 0,
  onSuspension: 'reauthorize',
};
const FREE_PKG: Package = { ...VPN_100, id: 'vpn-free', monthlyFee: 0 };

let group: string;
let shortNumbers = 0;

beforeAll(async () => {
  for (const p of [VPN_300, VPN_100, FREE_PKG]) await f.vpn.putPackage(p);
  group = await f.group({ maxMembers: 1000 });
});

/** A prepaid account that belongs to the test group. */
async function belonging(balance = 10_000, more = {}): Promise<string> {
  const m = await f.account(balance, more);
  shortNumbers += 1;
  await f.vpn.register(group, { msisdn: m, shortNumber: String(1000 + shortNumbers), identity: 'belongs' });
  return m;
}

async function expectRefusal(promise: Promise<unknown>, code: VpnErrorCode, message: RegExp | string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VpnError);
  expect((err as VpnError).code).toBe(code);
  expect((err as VpnError).message).toMatch(message);
  return err as VpnError;
}

const debits = async (m: string) => (await f.store.readLedger(m)).filter((e) => e.op === 'debit');

describe('immediate activation (ZTE S304)', () => {
  it('charges the monthly fee now, resets the free credits for the month, and is active', async () => {
    const m = await belonging(10_000);
    await expect(f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW)).resolves.toEqual({
      activation: { msisdn: m, package: 'vpn-300', status: 'active', activeFrom: MONTH, paidThrough: MONTH },
      charged: 500,
      changed: true,
    });
    const account = await f.store.getAccount(m);
    expect(account?.buckets.money).toEqual({ available: 9_500, reserved: 0, spent: 500 });
    expect(account?.buckets[freeLevelBucket('vpn-300', 0)]?.available).toBe(18_000);
    expect(account?.buckets[freeLevelBucket('vpn-300', 1)]?.available).toBe(1_000);
    expect(account?.resetPeriods).toEqual({
      [freeLevelBucket('vpn-300', 0)]: MONTH,
      [freeLevelBucket('vpn-300', 1)]: MONTH,
    });
    expect((await debits(m)).map((e) => e.opId)).toEqual([`vpn-fee:${m}:${MONTH}`]);
    expect(await f.vpn.activation(m)).toMatchObject({ status: 'active', paidThrough: MONTH });
  });

  it('charges once however often it is repeated, one after the other or at the same time', async () => {
    const m = await belonging(10_000);
    const request = { msisdn: m, package: 'vpn-300', when: 'immediate' } as const;
    await f.vpn.activate(request, NOW);
    const ledger = await f.store.readLedger(m);
    await expect(f.vpn.activate(request, NOW + 3_600_000)).resolves.toMatchObject({
      charged: 0,
      changed: false,
    });
    expect(await f.store.readLedger(m)).toEqual(ledger);

    const n = await belonging(10_000);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => f.vpn.activate({ ...request, msisdn: n }, NOW)),
    );
    expect(results.reduce((sum, r) => sum + r.charged, 0)).toBe(500);
    expect(await f.money(n)).toBe(9_500);
    expect(await debits(n)).toHaveLength(1);
  });

  it('refuses when the money cannot pay the fee, storing nothing; a later attempt after a top-up succeeds', async () => {
    const m = await belonging(499);
    const request = { msisdn: m, package: 'vpn-300', when: 'immediate' } as const;
    const err = await expectRefusal(
      f.vpn.activate(request, NOW),
      'INSUFFICIENT_FUNDS',
      `INSUFFICIENT_FUNDS: ${m} cannot pay the monthly fee of 500 of package vpn-300 (money available 499)`,
    );
    expect(err.status).toBe(422);
    expect(await f.vpn.activation(m)).toBeUndefined();
    const account = await f.store.getAccount(m);
    expect(account?.buckets.money).toEqual({ available: 499, reserved: 0, spent: 0 });
    expect(account?.resetPeriods).toEqual({});
    expect(await debits(m)).toEqual([]);
    // The balance store remembers the refusal under its operation id; the next attempt must
    // not be answered with it.
    await f.store.topup({ opId: 'top-1', msisdn: m, amount: 1, nowMs: NOW });
    await expect(f.vpn.activate(request, NOW + 1000)).resolves.toMatchObject({ charged: 500 });
    expect(await f.money(m)).toBe(0);
  });

  it('keeps the account minimum threshold', async () => {
    const m = await belonging(600, { minThreshold: 200 });
    await expectRefusal(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW),
      'INSUFFICIENT_FUNDS',
      /monthly fee of 500/,
    );
    expect(await f.money(m)).toBe(600);
  });

  it('activates a package without a fee without charging anything', async () => {
    const m = await belonging(0);
    await expect(
      f.vpn.activate({ msisdn: m, package: 'vpn-free', when: 'immediate' }, NOW),
    ).resolves.toMatchObject({
      activation: { status: 'active', paidThrough: MONTH },
      charged: 0,
    });
    expect(await debits(m)).toEqual([]);
    expect((await f.store.getAccount(m))?.buckets[freeLevelBucket('vpn-free', 0)]?.available).toBe(6_000);
  });

  it('replaces the package: the new fee is charged and its credits reset, the old buckets stay', async () => {
    const m = await belonging(10_000);
    await f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW);
    await expect(
      f.vpn.activate({ msisdn: m, package: 'vpn-100', when: 'immediate' }, NOW + 1),
    ).resolves.toMatchObject({
      activation: { package: 'vpn-100', status: 'active', paidThrough: MONTH },
      charged: 200,
    });
    const account = await f.store.getAccount(m);
    expect(account?.buckets.money?.available).toBe(10_000 - 500 - 200);
    expect(account?.buckets[freeLevelBucket('vpn-100', 0)]?.available).toBe(6_000);
    expect(account?.buckets[freeLevelBucket('vpn-300', 0)]?.available).toBe(18_000);
    expect((await debits(m)).map((e) => e.opId)).toEqual([
      `vpn-fee:${m}:${MONTH}`,
      `vpn-fee:${m}:${MONTH}:1`,
    ]);
    // Back to the first package within the month: its fee again, but no second allowance.
    await f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW + 2);
    expect((await f.store.getAccount(m))?.resetPeriods[freeLevelBucket('vpn-300', 0)]).toBe(MONTH);
  });
});

describe('next-month activation (ZTE S305)', () => {
  it('is pending from next month and charges nothing now', async () => {
    const m = await belonging(10_000);
    await expect(f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'next-month' }, NOW)).resolves.toEqual(
      {
        activation: {
          msisdn: m,
          package: 'vpn-300',
          status: 'pending',
          activeFrom: '2026-12',
          paidThrough: '',
        },
        charged: 0,
        changed: true,
      },
    );
    expect(await f.money(m)).toBe(10_000);
    expect(await debits(m)).toEqual([]);
    await expect(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'next-month' }, NOW),
    ).resolves.toMatchObject({
      changed: false,
    });
  });

  it('works even when the money cannot pay the fee now', async () => {
    const m = await belonging(0);
    await expect(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'next-month' }, NOW),
    ).resolves.toMatchObject({
      activation: { status: 'pending' },
    });
  });

  it('to another package keeps the paid package to the end of the month', async () => {
    const m = await belonging(10_000);
    await f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW);
    await expect(
      f.vpn.activate({ msisdn: m, package: 'vpn-100', when: 'next-month' }, NOW),
    ).resolves.toMatchObject({
      activation: {
        package: 'vpn-300',
        status: 'active',
        paidThrough: MONTH,
        next: { package: 'vpn-100', from: '2026-12' },
      },
      charged: 0,
    });
  });

  it('an immediate activation of a pending package starts it now', async () => {
    const m = await belonging(10_000);
    await f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'next-month' }, NOW);
    await expect(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW),
    ).resolves.toMatchObject({
      activation: { status: 'active', activeFrom: MONTH, paidThrough: MONTH },
      charged: 500,
    });
  });
});

describe('who may activate (ZTE S302)', () => {
  it('refuses a number that only joins', async () => {
    const m = await f.account();
    await f.vpn.register(group, { msisdn: m, shortNumber: '9001', identity: 'joins' });
    const err = await expectRefusal(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW),
      'NOT_BELONGING',
      `NOT_BELONGING: ${m} belongs to no group (it joins ${group}): only a belonging member may activate a VPN package`,
    );
    expect(err.status).toBe(422);
    expect(await f.money(m)).toBe(10_000);
    expect(await f.vpn.activation(m)).toBeUndefined();
  });

  it('refuses a number in no group, known here or not', async () => {
    await expectRefusal(
      f.vpn.activate({ msisdn: await f.account(), package: 'vpn-300', when: 'next-month' }, NOW),
      'NOT_BELONGING',
      /belongs to no group: only/,
    );
    await expectRefusal(
      f.vpn.activate({ msisdn: f.number(), package: 'vpn-300', when: 'immediate' }, NOW),
      'NOT_BELONGING',
      /belongs to no group/,
    );
  });

  it('refuses a belonging member whose account became postpaid', async () => {
    const m = await belonging(10_000);
    await f.store.upsertAccount({ msisdn: m, prepaid: false });
    await expectRefusal(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW),
      'NOT_PREPAID',
      `${m} is not a prepaid account: only a prepaid account may activate a VPN package`,
    );
    expect(await f.money(m)).toBe(10_000);
  });

  it('refuses an unknown package and a malformed request', async () => {
    const m = await belonging();
    const err = await expectRefusal(
      f.vpn.activate({ msisdn: m, package: 'vpn-999', when: 'immediate' }, NOW),
      'PACKAGE_NOT_FOUND',
      'PACKAGE_NOT_FOUND: package vpn-999 does not exist',
    );
    expect(err.status).toBe(404);
    await expectRefusal(
      f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'tomorrow' as 'immediate' }, NOW),
      'INVALID',
      /^INVALID: activation: when:/,
    );
  });
});

describe('locking and membership', () => {
  it('refuses with BUSY while another request holds the number, and unregister waits too', async () => {
    const m = await belonging(10_000);
    await f.redis.set(f.vpn.keys.lock(m), 'someone-else', 'PX', 5_000);
    const impatient = f.registryWith({ lockWaitMs: 0 });
    const err = await expectRefusal(
      impatient.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW),
      'BUSY',
      /being changed by another request/,
    );
    expect(err.status).toBe(409);
    await expectRefusal(f.vpn.unregister(group, m), 'BUSY', /try again/);
    expect(await f.money(m)).toBe(10_000);
    await f.redis.del(f.vpn.keys.lock(m));
    await impatient.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW);
  });

  it('leaving the group the number belongs to ends its VPN function; leaving a joined one does not', async () => {
    const m = await belonging(10_000);
    const other = await f.group();
    await f.vpn.register(other, { msisdn: m, shortNumber: '5555', identity: 'joins' });
    await f.vpn.activate({ msisdn: m, package: 'vpn-300', when: 'immediate' }, NOW);
    await expect(f.vpn.unregister(other, m)).resolves.toEqual({ identity: 'joins', activationEnded: false });
    expect(await f.vpn.activation(m)).toBeDefined();
    await expect(f.vpn.unregister(group, m)).resolves.toEqual({ identity: 'belongs', activationEnded: true });
    expect(await f.vpn.activation(m)).toBeUndefined();
    expect(await f.vpn.memberships(m)).toEqual([]);
  });
});
