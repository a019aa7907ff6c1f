import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BalanceCode, ReservationNotFoundError, type ApplyRequest } from '../../../src/balance/index.js';
import { balanceFixture, FREE_SECONDS, msisdn, VOICE, VPN_TIERS } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
let n = 0;

async function account(buckets: Record<string, number> = { money: 1000 }): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets });
  return m;
}

function apply(m: string, expiresAtMs: number, over: Partial<ApplyRequest> = {}) {
  n += 1;
  return f.store.apply({
    opId: `apply-${n}`,
    msisdn: m,
    sessionId: `sess-${n}`,
    ratingGroup: 0,
    tiers: VOICE,
    units: 120,
    nowMs: NOW,
    expiresAtMs,
    ...over,
  });
}

const index = () => f.redis.zrange(f.store.keys.reservationIndex(), 0, '-1', 'WITHSCORES');

describe('expireReservations', () => {
  it('gives back only the reservations due at nowMs, once, with a ledger entry each', async () => {
    const m = await account({ [FREE_SECONDS]: 60, money: 1000 });
    await apply(m, NOW + 1000, { sessionId: 'due', ratingGroup: 3, tiers: VPN_TIERS });
    await apply(m, NOW + 2000, { sessionId: 'exactly-due' });
    await apply(m, NOW + 2001, { sessionId: 'live' });
    await expect(f.store.expireReservations({ msisdn: m, nowMs: NOW + 2000 })).resolves.toEqual({
      expired: [
        { sessionId: 'due', ratingGroup: 3, returned: { [FREE_SECONDS]: 60, money: 5 } },
        { sessionId: 'exactly-due', ratingGroup: 0, returned: { money: 30 } },
      ],
    });
    expect((await f.store.listReservations(m)).map((r) => r.sessionId)).toEqual(['live']);
    expect((await f.store.getAccount(m))?.buckets).toMatchObject({
      money: { available: 970, reserved: 30, spent: 0 },
      [FREE_SECONDS]: { available: 60, reserved: 0, spent: 0 },
    });
    const entries = (await f.store.readLedger(m)).filter((e) => e.op === 'expire');
    expect(entries).toMatchObject([
      {
        opId: 'expire',
        session: 'due',
        ratingGroup: 3,
        deltas: { [FREE_SECONDS]: { available: 60, reserved: -60 }, money: { available: 5, reserved: -5 } },
        ts: NOW + 2000,
      },
      { session: 'exactly-due', deltas: { money: { available: 30, reserved: -30 } } },
    ]);
    await expect(f.store.expireReservations({ msisdn: m, nowMs: NOW + 2000 })).resolves.toEqual({
      expired: [],
    });
  });

  it('leaves a late report nothing to charge', async () => {
    const m = await account();
    await apply(m, NOW, { sessionId: 'silent' });
    await f.store.expireReservations({ msisdn: m, nowMs: NOW });
    await expect(
      f.store.deduct({
        opId: 'late',
        msisdn: m,
        sessionId: 'silent',
        ratingGroup: 0,
        used: 60,
        nowMs: NOW + 5,
      }),
    ).rejects.toBeInstanceOf(ReservationNotFoundError);
  });

  it('examines only the ids given, by the expiry stored in each reservation', async () => {
    const m = await account();
    const k = f.store.keys.account(m);
    await apply(m, NOW + 1000, { sessionId: 'due' });
    await apply(m, NOW + 9000, { sessionId: 'later' });
    await apply(m, NOW + 500, { sessionId: 'not-asked' });
    await expect(
      f.redis.ocsExpireReservations(
        k.account,
        k.reservations,
        k.ledger,
        NOW + 2000,
        100,
        '0|due',
        '0|later',
        '0|gone',
      ),
    ).resolves.toEqual([0, ['expired', ['0|due', ['money', 30]], 'live', [0, NOW + 9000, 0]]]);
    expect((await f.store.listReservations(m)).map((r) => r.sessionId).sort()).toEqual([
      'later',
      'not-asked',
    ]);
  });

  it('finds nothing on an unknown account', async () => {
    await expect(f.store.expireReservations({ msisdn: msisdn(), nowMs: NOW })).resolves.toEqual({
      expired: [],
    });
    const k = f.store.keys.account(msisdn());
    await expect(
      f.redis.ocsExpireReservations(k.account, k.reservations, k.ledger, 'now', 100),
    ).resolves.toEqual([BalanceCode.INVALID_ARGUMENT, expect.stringContaining('nowMs')]);
  });
});

describe('sweepExpired', () => {
  beforeEach(async () => {
    await f.redis.del(f.store.keys.reservationIndex());
  });

  it('unfreezes the money of silent sessions on every account and drops their index entries', async () => {
    const a = await account();
    const b = await account();
    await apply(a, NOW + 1000, { sessionId: 'a1' });
    await apply(a, NOW + 1500, { sessionId: 'a2' });
    await apply(b, NOW + 1000, { sessionId: 'b1' });
    await apply(b, NOW + 9000, { sessionId: 'b-live' });
    await expect(f.store.sweepExpired(NOW + 2000)).resolves.toEqual({
      accounts: 2,
      expired: 3,
      removed: 3,
      rescored: 0,
    });
    expect((await f.store.getAccount(a))?.buckets.money).toEqual({ available: 1000, reserved: 0, spent: 0 });
    expect((await f.store.getAccount(b))?.buckets.money).toEqual({ available: 970, reserved: 30, spent: 0 });
    expect(await index()).toEqual([`${b}|0|b-live`, String(NOW + 9000)]);
    await expect(f.store.sweepExpired(NOW + 2000)).resolves.toEqual({
      accounts: 0,
      expired: 0,
      removed: 0,
      rescored: 0,
    });
  });

  it('drops the entry written by a server that crashed before running its script', async () => {
    const m = await account();
    await f.redis.zadd(f.store.keys.reservationIndex(), NOW, `${m}|0|crashed`);
    await expect(f.store.sweepExpired(NOW)).resolves.toEqual({
      accounts: 1,
      expired: 0,
      removed: 1,
      rescored: 0,
    });
    expect(await index()).toEqual([]);
  });

  it('moves an entry to the later expiry of a reservation that is still live', async () => {
    const m = await account();
    await apply(m, NOW + 5000, { sessionId: 'extended' });
    await f.redis.zadd(f.store.keys.reservationIndex(), NOW, `${m}|0|extended`);
    await expect(f.store.sweepExpired(NOW + 1)).resolves.toEqual({
      accounts: 1,
      expired: 0,
      removed: 0,
      rescored: 1,
    });
    expect(await index()).toEqual([`${m}|0|extended`, String(NOW + 5000)]);
  });

  it('follows a settle that extended the reservation', async () => {
    const m = await account();
    await apply(m, NOW + 1000, { sessionId: 'talking', opId: 'talking#0' });
    await f.store.settle({
      opId: 'talking#1',
      msisdn: m,
      sessionId: 'talking',
      ratingGroup: 0,
      used: 60,
      units: 60,
      tiers: VOICE,
      nowMs: NOW + 900,
      expiresAtMs: NOW + 5000,
    });
    await expect(f.store.sweepExpired(NOW + 2000)).resolves.toMatchObject({ accounts: 0, expired: 0 });
    await expect(f.store.sweepExpired(NOW + 5000)).resolves.toEqual({
      accounts: 1,
      expired: 1,
      removed: 1,
      rescored: 0,
    });
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 985, reserved: 0, spent: 15 });
  });

  it('takes at most `limit` entries, and expires at most that many reservations, a sweep', async () => {
    const m = await account();
    for (let i = 0; i < 5; i++) await apply(m, NOW + i, { sessionId: `s${i}` });
    await expect(f.store.sweepExpired(NOW + 10, 2)).resolves.toEqual({
      accounts: 1,
      expired: 2,
      removed: 2,
      rescored: 0,
    });
    expect((await f.store.listReservations(m)).map((r) => r.sessionId).sort()).toEqual(['s2', 's3', 's4']);
    await expect(f.store.sweepExpired(NOW + 10, 2)).resolves.toEqual({
      accounts: 1,
      expired: 2,
      removed: 2,
      rescored: 0,
    });
    await expect(f.store.sweepExpired(NOW + 10, 2)).resolves.toEqual({
      accounts: 1,
      expired: 1,
      removed: 1,
      rescored: 0,
    });
    expect(await index()).toEqual([]);
    expect(await f.store.listReservations(m)).toEqual([]);
  });

  it('leaves a reservation that is not due yet and returns one past its expiry, without resvexp', async () => {
    const m = await account();
    await apply(m, NOW + 1000, { sessionId: 'silent' });
    await apply(m, NOW + 9000, { sessionId: 'talking' });
    // an entry older than its reservation, as a cluster leaves it (written before the script)
    await f.redis.zadd(f.store.keys.reservationIndex(), NOW, `${m}|0|talking`);
    await expect(f.store.sweepExpired(NOW + 2000)).resolves.toEqual({
      accounts: 1,
      expired: 1,
      removed: 1,
      rescored: 1,
    });
    expect((await f.store.listReservations(m)).map((r) => r.sessionId)).toEqual(['talking']);
    expect((await f.store.getAccount(m))?.buckets.money).toEqual({ available: 970, reserved: 30, spent: 0 });
    expect((await f.store.readLedger(m)).filter((e) => e.op === 'expire')).toMatchObject([
      {
        opId: 'expire',
        session: 'silent',
        ratingGroup: 0,
        deltas: { money: { available: 30, reserved: -30 } },
        ts: NOW + 2000,
      },
    ]);
    expect(await index()).toEqual([`${m}|0|talking`, String(NOW + 9000)]);
    expect(await f.redis.keys(`${f.prefix}*resvexp*`)).toEqual([]);
  });

  it('never reads the resvexp key the previous version left', async () => {
    const m = await account();
    await apply(m, NOW + 9000, { sessionId: 'extended' });
    await apply(m, NOW + 1000, { sessionId: 'due' });
    // the previous version's expiry set, with a stale expiry and a reservation that is gone
    const leftover = `${f.prefix}resvexp:{${m}}`;
    await f.redis.zadd(leftover, NOW, '0|extended', NOW, '0|gone');
    await expect(f.store.sweepExpired(NOW + 2000)).resolves.toMatchObject({ accounts: 1, expired: 1 });
    expect((await f.store.listReservations(m)).map((r) => r.sessionId)).toEqual(['extended']);
    expect(await f.redis.zrange(leftover, 0, '-1', 'WITHSCORES')).toEqual([
      '0|extended',
      String(NOW),
      '0|gone',
      String(NOW),
    ]);
  });

  it('keeps an entry rewritten by a newer reservation between reading and cleaning', async () => {
    const key = f.store.keys.reservationIndex();
    await f.redis.zadd(key, NOW + 100, 'x|0|s');
    // the sweeper saw NOW; meanwhile an apply wrote NOW + 100
    await expect(f.redis.ocsIndexCleanup(key, 'x|0|s', NOW, '')).resolves.toEqual([0, 0]);
    await expect(f.redis.ocsIndexCleanup(key, 'x|0|s', NOW, String(NOW + 7))).resolves.toEqual([0, 0]);
    expect(await index()).toEqual(['x|0|s', String(NOW + 100)]);
    await expect(f.redis.ocsIndexCleanup(key, 'x|0|s', NOW + 100, '')).resolves.toEqual([1, 0]);
  });

  it('keeps the entry of a new reservation when an old release is replayed late', async () => {
    const m = await account();
    await apply(m, NOW + 1000, { sessionId: 'mscc', opId: 'mscc#1' });
    const release = { opId: 'mscc#2', msisdn: m, sessionId: 'mscc', ratingGroup: 0, nowMs: NOW + 10 };
    await f.store.release(release);
    await apply(m, NOW + 2000, { sessionId: 'mscc', opId: 'mscc#3' });
    await f.store.release(release); // a retransmission arriving after the next request
    expect(await index()).toEqual([`${m}|0|mscc`, String(NOW + 2000)]);
    expect(await f.store.listReservations(m)).toHaveLength(1);
  });
});
