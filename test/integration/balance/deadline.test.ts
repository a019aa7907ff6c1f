/**
 * A request's deadline reaches the freezing scripts (apply, settle with a new grant, direct
 * debit), which compare it with Redis's own clock: a call that runs after it, as one queued
 * behind a stalled Redis does, changes nothing, so no money is frozen or charged for a request
 * whose client has had its answer already.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  BalanceStore,
  DeadlinePassedError,
  InvalidArgumentError,
  type ApplyRequest,
  type DirectDebitRequest,
} from '../../../src/balance/index.js';
import { balanceFixture, msisdn, VOICE, withoutFunctions } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const SMS = [{ bucket: 'money', unitSize: 1, pricePerUnit: 10 }];
const past = () => Date.now() - 1000;
const future = () => Date.now() + 60_000;
let n = 0;

async function account(money: number): Promise<string> {
  const m = msisdn();
  await f.store.upsertAccount({ msisdn: m, buckets: { money } });
  return m;
}

function applyRequest(m: string, over: Partial<ApplyRequest> = {}): ApplyRequest {
  n += 1;
  return {
    opId: `dl-${n}`,
    msisdn: m,
    sessionId: `dl-sess-${n}`,
    ratingGroup: 0,
    tiers: VOICE,
    units: 120,
    nowMs: NOW,
    expiresAtMs: NOW + 60_000,
    ...over,
  };
}

function debitRequest(m: string, over: Partial<DirectDebitRequest> = {}): DirectDebitRequest {
  n += 1;
  return { opId: `dl-debit-${n}`, msisdn: m, tiers: SMS, units: 1, nowMs: NOW, ...over };
}

/** The account's money, reservations, ledger, and whether `opId` was remembered. */
async function state(m: string, opId: string) {
  return {
    money: (await f.store.getAccount(m))?.buckets.money,
    reservations: await f.store.listReservations(m),
    ledger: (await f.store.readLedger(m)).map((e) => `${e.op}:${e.opId}`),
    remembered: await f.redis.exists(f.store.keys.operation(m, opId)),
  };
}

describe('apply with a deadline', () => {
  it('is refused once the deadline has passed: nothing frozen, no ledger entry, no index entry', async () => {
    const m = await account(1000);
    const before = await state(m, 'none');
    const req = applyRequest(m, { deadlineMs: past() });
    const refused = f.store.apply(req);
    await expect(refused).rejects.toBeInstanceOf(DeadlinePassedError);
    await expect(refused).rejects.toThrow(/ms late/);
    expect(await state(m, req.opId)).toEqual({ ...before, remembered: 0 });
    expect(await f.indexScore(m, req.sessionId)).toBeNull();
  });

  it('runs as before with a deadline still ahead, and a retransmission may run after a refusal', async () => {
    const m = await account(1000);
    const req = applyRequest(m);
    await expect(f.store.apply({ ...req, deadlineMs: past() })).rejects.toBeInstanceOf(DeadlinePassedError);
    const granted = await f.store.apply({ ...req, deadlineMs: future() });
    expect(granted).toMatchObject({ granted: 120, moneyAvailable: 970 });
    const other = await account(1000);
    await expect(f.store.apply({ ...applyRequest(other) })).resolves.toEqual(granted);
    expect((await state(m, req.opId)).money).toEqual({ available: 970, reserved: 30, spent: 0 });
  });

  it('answers a replay with its first result, whatever the deadline: it changes nothing', async () => {
    const m = await account(1000);
    const req = applyRequest(m, { deadlineMs: future() });
    const first = await f.store.apply(req);
    await expect(f.store.apply({ ...req, deadlineMs: past() })).resolves.toEqual(first);
  });

  it('is refused by the scripts run with EVALSHA too (Redis 6)', async () => {
    const client = withoutFunctions(f.connect());
    const store = new BalanceStore({ redis: client, keyPrefix: f.prefix });
    const m = await account(1000);
    const before = await state(m, 'none');
    const late = applyRequest(m, { deadlineMs: past() });
    await expect(store.apply(late)).rejects.toBeInstanceOf(DeadlinePassedError);
    expect(await state(m, late.opId)).toEqual({ ...before, remembered: 0 });
    const inTime = applyRequest(m, { deadlineMs: future() });
    await expect(store.apply(inTime)).resolves.toMatchObject({ granted: 120 });
    expect((await state(m, late.opId)).ledger).toEqual([...before.ledger, `apply:${inTime.opId}`]);
  });

  it('must be a whole number of ms since the epoch', async () => {
    const m = await account(1000);
    await expect(f.store.apply(applyRequest(m, { deadlineMs: 1.5 }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(f.store.apply(applyRequest(m, { deadlineMs: -1 }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('settle with a deadline', () => {
  async function openSession() {
    const m = await account(1000);
    const req = applyRequest(m);
    await f.store.apply(req);
    const settle = {
      msisdn: m,
      sessionId: req.sessionId,
      ratingGroup: 0,
      nowMs: NOW + 30_000,
      used: 60,
    };
    return { m, req, settle };
  }

  it('asking a new grant past the deadline is refused whole: no usage charged, the reservation kept', async () => {
    const { m, req, settle } = await openSession();
    const before = await state(m, 'none');
    const late = {
      ...settle,
      opId: `${req.opId}-u1`,
      units: 120,
      tiers: VOICE,
      expiresAtMs: NOW + 120_000,
      deadlineMs: past(),
    };
    await expect(f.store.settle(late)).rejects.toBeInstanceOf(DeadlinePassedError);
    expect(await state(m, late.opId)).toEqual({ ...before, remembered: 0 });
    expect(before.money).toEqual({ available: 970, reserved: 30, spent: 0 });
    expect(await f.indexScore(m, req.sessionId)).toBe(NOW + 60_000);
    await expect(f.store.settle({ ...late, deadlineMs: future() })).resolves.toMatchObject({
      settled: true,
      charged: 60,
      granted: 120,
    });
    expect((await state(m, late.opId)).money).toEqual({ available: 955, reserved: 30, spent: 15 });
  });

  it('without a new grant (CCR-T) only charges and gives back: never too late', async () => {
    const { m, req, settle } = await openSession();
    const result = await f.store.settle({ ...settle, opId: `${req.opId}-t`, deadlineMs: past() });
    expect(result).toMatchObject({ settled: true, charged: 60, granted: 0 });
    expect((await state(m, 'none')).money).toEqual({ available: 985, reserved: 0, spent: 15 });
  });
});

describe('direct debit with a deadline', () => {
  it('is refused past the deadline: nothing charged, no ledger entry', async () => {
    const m = await account(100);
    const before = await state(m, 'none');
    const req = debitRequest(m, { deadlineMs: past() });
    await expect(f.store.directDebit(req)).rejects.toBeInstanceOf(DeadlinePassedError);
    expect(await state(m, req.opId)).toEqual({ ...before, remembered: 0 });
  });

  it('charges as before with the deadline ahead', async () => {
    const m = await account(100);
    await expect(f.store.directDebit(debitRequest(m, { deadlineMs: future() }))).resolves.toEqual({
      charged: 1,
      uncharged: 0,
      amounts: { money: 10 },
      moneyAvailable: 90,
    });
  });
});
