/**
 * The result a charging call keeps in the session record it writes (includes/session-write.lua):
 * the values of its reply as JSON, the record's last field "x". A replay of the call is answered
 * from it, field for field as the first answer, across several tiers and buckets; once a later
 * call replaces the record, the result moves to the call's own key for a minute, still replayed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ApplyRequest, SettleRequest } from '../../../src/balance/index.js';
import { balanceFixture, FREE_SECONDS, msisdn } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;
const SESSION = 'scscf1.example.net;1;kept';
const TIERS = [
  { bucket: FREE_SECONDS, unitSize: 60, pricePerUnit: 60 },
  { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
];

/**
 * What the stored record keeps: its text before "x", and x's values. The text of x is what the
 * store makes of the call's reply (`kept`, src/balance/kept-result.ts), which its readers take.
 */
async function storedRecord(key: string, kept: string | undefined): Promise<{ head: string; x: unknown[] }> {
  const raw = (await f.redis.get(key))!;
  const at = raw.indexOf(',"x":');
  const x = raw.slice(at + 5, -1);
  expect(x).toBe(kept);
  return { head: raw.slice(0, at), x: JSON.parse(x) as unknown[] };
}

/** A result as a replay answers it: the same, without what the store adds for a carried write. */
function replayed<T extends { kept?: string }>(result: T): Omit<T, 'kept'> {
  const { kept: _, ...rest } = result;
  return rest;
}

describe('the result a call keeps in the session record', () => {
  it('replays apply and settle over two tiers, before and after the record is replaced', async () => {
    const m = msisdn();
    // 90 free seconds: a grant of 120 s takes one unit of them and one of money, the next two of money.
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1_000, [FREE_SECONDS]: 90 } });
    const recordKey = `${f.prefix}sess:{${m}}:${SESSION}`;
    const supervision = `${f.prefix}sess-supervision`;
    const member = `${m}|${SESSION}`;
    const applyOp = `${SESSION}#0#apply`;
    const settleOp = `${SESSION}#1#settle`;
    const apply: ApplyRequest = {
      opId: applyOp,
      msisdn: m,
      sessionId: SESSION,
      ratingGroup: 0,
      tiers: TIERS,
      units: 120,
      nowMs: NOW,
      expiresAtMs: NOW + 600_000,
      deadlineMs: Date.now() + 60_000,
      carry: [
        'session',
        recordKey,
        'absent',
        '{"k":"voice","s":"open","p":["apply",0,0,"#0#apply"]}',
        3_600,
        'supervise',
        supervision,
        NOW + 900_000,
        member,
      ],
    };
    const granted = await f.store.apply(apply);
    expect(granted.tiers.map((t) => t.units)).toEqual([1, 1]);
    const first = await storedRecord(recordKey, granted.kept);
    expect(first.head).toBe('{"k":"voice","s":"open","p":["apply",0,0,"#0#apply"]');
    expect(first.x).toEqual([120, 0, NOW + 600_000, [FREE_SECONDS, 1, 60, 'money', 1, 5], 995]);

    // A retransmission of the CCR-I: refused as the record exists (its condition 'absent').
    await expect(f.store.apply(apply)).rejects.toThrow();
    // A call naming the record ('kept') is answered from it, changing nothing.
    const { carry: _, ...bare } = apply;
    await expect(f.store.apply({ ...bare, carry: ['kept', recordKey] })).resolves.toEqual(replayed(granted));

    const settle: SettleRequest = {
      opId: settleOp,
      msisdn: m,
      sessionId: SESSION,
      ratingGroup: 0,
      used: 90,
      units: 120,
      tiers: TIERS,
      nowMs: NOW + 90_000,
      expiresAtMs: NOW + 700_000,
      deadlineMs: Date.now() + 60_000,
      carry: [
        'session',
        recordKey,
        '',
        '{"k":"voice","s":"open","p":["settle",0,90,"#1#settle"]}',
        3_600,
        'supervised',
        supervision,
        member,
        'release',
        f.store.keys.operation(m, applyOp),
        60,
      ],
    };
    const settled = await f.store.settle(settle);
    const second = await storedRecord(recordKey, settled.kept);
    expect(second.x).toEqual([
      1,
      90,
      0,
      [FREE_SECONDS, 60, 'money', 5],
      [],
      NOW + 600_000,
      120,
      0,
      0,
      NOW + 700_000,
      [FREE_SECONDS, 0, 0, 'money', 2, 10],
      985,
      0,
    ]);
    const balances = await f.redis.hmget(`${f.prefix}acct:{${m}}`, `avail:${FREE_SECONDS}`, 'avail:money');
    expect(balances).toEqual(['30', '985']);

    // Both calls replayed: the settle from the record, the apply from its own key, where the
    // settle moved its result for a minute.
    await expect(f.store.settle(settle)).resolves.toEqual(settled);
    await expect(f.store.apply({ ...bare, carry: ['kept', recordKey] })).resolves.toEqual(replayed(granted));
    const ttl = await f.redis.ttl(f.store.keys.operation(m, applyOp));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await f.redis.hmget(`${f.prefix}acct:{${m}}`, `avail:${FREE_SECONDS}`, 'avail:money')).toEqual(
      balances,
    );
  });

  it('keeps a settle whose charge spans three buckets', async () => {
    const m = msisdn();
    const level = 'vpn:pkg:L1';
    const tiers = [
      { bucket: FREE_SECONDS, unitSize: 60, pricePerUnit: 60 },
      { bucket: level, unitSize: 60, pricePerUnit: 10 },
      { bucket: 'money', unitSize: 60, pricePerUnit: 5 },
    ];
    await f.store.upsertAccount({ msisdn: m, buckets: { money: 1_000, [FREE_SECONDS]: 60, [level]: 10 } });
    const recordKey = `${f.prefix}sess:{${m}}:${SESSION}`;
    const open = '{"k":"voice","s":"open","p":["apply",0,0,"#0#apply"]}';
    await f.store.apply({
      opId: `${SESSION}#0#apply`,
      msisdn: m,
      sessionId: SESSION,
      ratingGroup: 0,
      tiers,
      units: 180,
      nowMs: NOW,
      expiresAtMs: NOW + 600_000,
      carry: ['session', recordKey, 'absent', open, 3_600],
    });
    const settle: SettleRequest = {
      opId: `${SESSION}#1#settle`,
      msisdn: m,
      sessionId: SESSION,
      ratingGroup: 0,
      used: 180,
      nowMs: NOW + 180_000,
      carry: ['session', recordKey, '', '{"k":"voice","s":"closed","p":["settle",0,180,"#1#settle"]}', 300],
    };
    const settled = await f.store.settle(settle);
    expect(settled.amounts).toEqual({ [FREE_SECONDS]: 60, [level]: 10, money: 5 });
    const kept = await storedRecord(recordKey, settled.kept);
    expect(kept.x[3]).toEqual([FREE_SECONDS, 60, level, 10, 'money', 5]);
    await expect(f.store.settle(settle)).resolves.toEqual(settled);
  });
});
