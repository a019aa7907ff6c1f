import { afterAll, describe, expect, it } from 'vitest';
import { VpnError } from '../../../src/vpn/errors.js';
import { freeLevelBucket, type Package } from '../../../src/vpn/model.js';
import { DECEMBER, MONTH, NOW, VPN_300, vpnFixture, type VpnFixture } from './fixture.js';

const fixtures: VpnFixture[] = [];
afterAll(() => Promise.all(fixtures.map((f) => f.cleanup())));

const VPN_100: Package = {
  id: 'vpn-100',
  monthlyFee: 200,
  items: ['intra-group-voice'],
  levels: [{ type: 'free', creditSeconds: 6000, unitSeconds: 60 }],
  smsPricePerMessage: 0,
  onSuspension: 'reauthorize',
};
const DEC = '2026-12';
const L0 = freeLevelBucket('vpn-300', 0);

/** A fixture of its own, so that a run sees only this test's activations. */
async function world() {
  const f = vpnFixture();
  fixtures.push(f);
  await f.vpn.putPackage(VPN_300);
  await f.vpn.putPackage(VPN_100);
  const group = await f.group({ maxMembers: 10_000 });
  let short = 1000;
  const member = async (balance: number, when?: 'immediate' | 'next-month', pkg = 'vpn-300') => {
    const m = await f.account(balance);
    short += 1;
    await f.vpn.register(group, { msisdn: m, shortNumber: String(short), identity: 'belongs' });
    if (when) await f.vpn.activate({ msisdn: m, package: pkg, when }, NOW);
    return m;
  };
  return { f, member };
}

/** Everything a run could change: money, ledgers, activations. */
async function snapshot(f: VpnFixture, numbers: string[]) {
  return Promise.all(
    numbers.map(async (m) => ({
      account: await f.store.getAccount(m),
      ledger: await f.store.readLedger(m),
      activation: await f.vpn.activation(m),
    })),
  );
}

describe('the monthly run', () => {
  it('charges what is due, resets free credits, suspends the unpayable, and a second run changes nothing', async () => {
    const { f, member } = await world();
    const active = await member(10_000, 'immediate');
    const pending = await member(10_000, 'next-month');
    const poor = await member(500, 'immediate'); // the November fee leaves 0
    const pendingPoor = await member(100, 'next-month');
    const switching = await member(10_000, 'immediate');
    await f.vpn.activate({ msisdn: switching, package: 'vpn-100', when: 'next-month' }, NOW);
    const later = await member(10_000);
    await f.redis.hset(
      f.vpn.keys.activations(),
      later,
      JSON.stringify({
        msisdn: later,
        package: 'vpn-300',
        status: 'pending',
        activeFrom: '2027-02',
        paidThrough: '',
      }),
    );
    // Free minutes used in November.
    await f.store.setBucket({ opId: 'use', msisdn: active, bucket: L0, available: 120, nowMs: NOW });

    const summary = await f.vpn.monthlyRun(DEC, DECEMBER);
    expect(summary).toEqual({
      month: DEC,
      charged: 3,
      suspended: 2,
      // pendingPoor never had the preference: only poor's sessions are to be told.
      suspensions: [{ msisdn: poor, package: 'vpn-300', onSuspension: 'reauthorize' }],
      skipped: 1,
      bundles: { renewed: 0, unpaid: 0, lapsed: 0, expired: 0 },
      failed: [],
    });

    expect(await f.vpn.activation(active)).toEqual({
      msisdn: active,
      package: 'vpn-300',
      status: 'active',
      activeFrom: MONTH,
      paidThrough: DEC,
    });
    const a = await f.store.getAccount(active);
    expect(a?.buckets.money?.available).toBe(9_000);
    expect(a?.buckets[L0]?.available).toBe(18_000);
    expect(a?.resetPeriods[L0]).toBe(DEC);
    expect((await f.store.readLedger(active)).filter((e) => e.op === 'debit').map((e) => e.opId)).toEqual([
      `vpn-fee:${active}:${MONTH}`,
      `vpn-fee:${active}:${DEC}`,
    ]);

    expect(await f.vpn.activation(pending)).toMatchObject({
      status: 'active',
      activeFrom: DEC,
      paidThrough: DEC,
    });
    expect(await f.money(pending)).toBe(9_500);
    expect((await f.store.getAccount(pending))?.buckets[L0]?.available).toBe(18_000);

    expect(await f.vpn.activation(poor)).toMatchObject({ status: 'suspended', paidThrough: MONTH });
    expect(await f.money(poor)).toBe(0);
    expect(await f.vpn.activation(pendingPoor)).toMatchObject({ status: 'suspended', paidThrough: '' });
    expect(await f.money(pendingPoor)).toBe(100);

    expect(await f.vpn.activation(switching)).toEqual({
      msisdn: switching,
      package: 'vpn-100',
      status: 'active',
      activeFrom: DEC,
      paidThrough: DEC,
    });
    expect(await f.money(switching)).toBe(10_000 - 500 - 200);
    expect((await f.store.getAccount(switching))?.buckets[freeLevelBucket('vpn-100', 0)]?.available).toBe(
      6_000,
    );

    expect(await f.vpn.activation(later)).toMatchObject({ status: 'pending', paidThrough: '' });

    const everyone = [active, pending, poor, pendingPoor, switching, later];
    const before = await snapshot(f, everyone);
    const again = await f.vpn.monthlyRun(DEC, DECEMBER + 60_000);
    // The suspended are tried again (and refused again); nothing else is due.
    expect(again).toEqual({
      month: DEC,
      charged: 0,
      suspended: 2,
      suspensions: [],
      skipped: 4,
      bundles: { renewed: 0, unpaid: 0, lapsed: 0, expired: 0 },
      failed: [],
    });
    expect(await snapshot(f, everyone)).toEqual(before);
  });

  it('resumes a suspended package once a later run can charge it', async () => {
    const { f, member } = await world();
    const m = await member(500, 'immediate');
    await f.vpn.monthlyRun(DEC, DECEMBER);
    expect(await f.vpn.activation(m)).toMatchObject({ status: 'suspended' });
    await f.store.topup({ opId: 'top', msisdn: m, amount: 700, nowMs: DECEMBER });
    await expect(f.vpn.monthlyRun(DEC, DECEMBER + 1_000)).resolves.toMatchObject({
      charged: 1,
      suspended: 0,
    });
    expect(await f.vpn.activation(m)).toMatchObject({ status: 'active', paidThrough: DEC });
    expect(await f.money(m)).toBe(200);
    expect((await f.store.getAccount(m))?.resetPeriods[L0]).toBe(DEC);
    const debits = (await f.store.readLedger(m)).filter((e) => e.op === 'debit');
    expect(debits.map((e) => e.opId)).toEqual([`vpn-fee:${m}:${MONTH}`, `vpn-fee:${m}:${DEC}:1`]);
  });

  it('payAndResume pays now and turns the preference back on; refused while the money is short', async () => {
    const { f, member } = await world();
    const m = await member(500, 'immediate');
    await f.vpn.monthlyRun(DEC, DECEMBER);
    const err = await f.vpn.payAndResume(m, DECEMBER).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VpnError);
    expect((err as VpnError).code).toBe('INSUFFICIENT_FUNDS');
    expect(await f.vpn.activation(m)).toMatchObject({ status: 'suspended' });

    await f.store.topup({ opId: 'top', msisdn: m, amount: 500, nowMs: DECEMBER });
    await expect(f.vpn.payAndResume(m, DECEMBER + 1)).resolves.toMatchObject({
      activation: { status: 'active', paidThrough: DEC },
      charged: 500,
      changed: true,
    });
    await expect(f.vpn.payAndResume(m, DECEMBER + 2)).resolves.toMatchObject({ charged: 0, changed: false });
    await expect(f.vpn.monthlyRun(DEC, DECEMBER + 3)).resolves.toMatchObject({ charged: 0, skipped: 1 });
    expect(await f.money(m)).toBe(0);

    const none = await f.vpn.payAndResume(f.number(), DECEMBER).catch((e: unknown) => e);
    expect((none as VpnError).code).toBe('ACTIVATION_NOT_FOUND');
  });

  it('reads the activations in batches, past one batch', async () => {
    const { f, member } = await world();
    const numbers = await Promise.all(Array.from({ length: 120 }, () => member(1_000, 'next-month')));
    await expect(f.vpn.monthlyRun(DEC, DECEMBER, { batchSize: 10 })).resolves.toEqual({
      month: DEC,
      charged: 120,
      suspended: 0,
      suspensions: [],
      skipped: 0,
      bundles: { renewed: 0, unpaid: 0, lapsed: 0, expired: 0 },
      failed: [],
    });
    expect(new Set(await Promise.all(numbers.map((m) => f.money(m))))).toEqual(new Set([500]));
  });

  it('reports what it cannot decide and goes on with the rest', async () => {
    const { f, member } = await world();
    const orphan = await member(1_000, 'immediate');
    const fine = await member(1_000, 'immediate');
    await f.redis.hset(
      f.vpn.keys.activations(),
      orphan,
      JSON.stringify({
        msisdn: orphan,
        package: 'gone',
        status: 'active',
        activeFrom: MONTH,
        paidThrough: MONTH,
      }),
    );
    const summary = await f.vpn.monthlyRun(DEC, DECEMBER);
    expect(summary).toMatchObject({ charged: 1, suspended: 0, skipped: 0 });
    expect(summary.failed).toEqual([
      {
        msisdn: orphan,
        code: 'PACKAGE_NOT_FOUND',
        message: 'PACKAGE_NOT_FOUND: package gone does not exist',
      },
    ]);
    expect(await f.money(fine)).toBe(0);
    expect(await f.money(orphan)).toBe(500);
  });

  it('refuses a month that is not YYYY-MM', async () => {
    const { f } = await world();
    await expect(f.vpn.monthlyRun('2026-13', DECEMBER)).rejects.toMatchObject({ code: 'INVALID' });
  });
});
