/**
 * `ocs audit` on a real Redis: balances against the ledger, part exported to files and part
 * still in Redis (and both, within the window kept), and a corrupted balance found.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { audit } from '../../../src/audit/audit.js';
import { BalanceStore } from '../../../src/balance/index.js';
import { loadExportConfig, type ExportConfig } from '../../../src/export/config.js';
import { exportOnce } from '../../../src/export/export-once.js';

const redis = new Redis(inject('redisUrl'));
const logger = pino({ level: 'silent' });
afterAll(() => redis.disconnect());

let prefix: string;
let dir: string;
let config: ExportConfig;
let store: BalanceStore;

beforeEach(async () => {
  prefix = `t-audit-${randomUUID().slice(0, 8)}:`;
  dir = await mkdtemp(join(tmpdir(), 'ocs-audit-'));
  config = loadExportConfig({ EXPORT_DIR: dir, EXPORT_INSTANCE: 'audit1', EXPORT_KEEP_SECONDS: '0' });
  store = new BalanceStore({ redis, keyPrefix: prefix });
});
afterEach(async () => {
  const leftovers = await redis.keys(`${prefix}*`);
  if (leftovers.length) await redis.del(...leftovers);
  await rm(dir, { recursive: true, force: true });
});

const MONEY = [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }];

/** Provisioning, a top-up, a session's reserve and charge, a direct debit and a refund. */
async function activity(msisdn: string, n: number, now: number) {
  await store.upsertAccount({ msisdn, tariff: 'std', currency: 'CNY', buckets: { money: 10_000 } }, now);
  await store.topup({ opId: `top-${n}`, msisdn, amount: 500, nowMs: now, reference: `v-${n}` });
  await store.apply({
    opId: `a-${n}`,
    msisdn,
    sessionId: `s-${n}`,
    ratingGroup: 10,
    units: 120,
    expiresAtMs: now + 60_000,
    tiers: MONEY,
    nowMs: now,
  });
  await store.deduct({ opId: `d-${n}`, msisdn, sessionId: `s-${n}`, ratingGroup: 10, used: 70, nowMs: now });
  await store.directDebit({ opId: `dd-${n}`, msisdn, tiers: MONEY, units: 60, nowMs: now });
  await store.refund({ opId: `r-${n}`, msisdn, amount: 15, nowMs: now, reference: `rf-${n}` });
}

/** The ledger lines of the closed files, in name order. */
async function exportedLedger(): Promise<{ op: string; version: number }[]> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('ledger-') && n.endsWith('.gz')).sort();
  const lines: { op: string; version: number }[] = [];
  for (const name of names) {
    const text = gunzipSync(await readFile(join(dir, name))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line));
  }
  return lines;
}

describe('ocs audit', () => {
  it('finds every account adding up, its ledger exported (and trimmed) in part', async () => {
    const now = Date.now();
    await activity('8613700000001', 1, now);
    await activity('8613700000002', 2, now);
    await exportOnce({ redis, config, keyPrefix: prefix, logger });
    // Trimmed from Redis: only the files hold it now.
    expect(await redis.xlen(`${prefix}ledger:{8613700000001}`)).toBe(0);
    await store.topup({
      opId: 'later',
      msisdn: '8613700000001',
      amount: 100,
      nowMs: now,
      reference: 'later',
    });
    await activity('8613700000003', 3, now);
    const report = await audit(redis, store, dir);
    expect(report).toMatchObject({ accounts: 3, failed: [] });
    expect(report.files).toBeGreaterThan(0);
  });

  it('finds a balance changed behind the ledger, and names the account and the bucket', async () => {
    const now = Date.now();
    await activity('8613700000011', 11, now);
    await activity('8613700000012', 12, now);
    await exportOnce({ redis, config, keyPrefix: prefix, logger });
    await redis.hincrby(`${prefix}acct:{8613700000012}`, 'avail:money', 250);
    const report = await audit(redis, store, dir);
    expect(report.accounts).toBe(2);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.msisdn).toBe('8613700000012');
    expect(report.failed[0]!.problems.join('\n')).toMatch(
      /^money: available \d+ \+ reserved \d+ \+ spent \d+ = \d+, but the ledger puts in \d+/,
    );
  });

  it('finds an account whose exported ledger is missing', async () => {
    const now = Date.now();
    await activity('8613700000021', 21, now);
    await exportOnce({ redis, config, keyPrefix: prefix, logger });
    const empty = await mkdtemp(join(tmpdir(), 'ocs-audit-empty-'));
    try {
      const report = await audit(redis, store, empty);
      expect(report.failed.map((f) => f.msisdn)).toEqual(['8613700000021']);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('adds up over files holding a session settled step by step and one settled in one entry', async () => {
    const now = Date.now();
    const msisdn = '8613700000031';
    await store.upsertAccount({ msisdn, tariff: 'std', currency: 'CNY', buckets: { money: 10_000 } }, now);
    const ref = { msisdn, sessionId: 's-31', ratingGroup: 10, nowMs: now };
    const grant = { tiers: MONEY, units: 120, expiresAtMs: now + 60_000 };
    await store.apply({ ...ref, opId: 'i', ...grant });
    // A CCR-U as a ledger of one entry per step has it: deduct, return, apply.
    await store.deduct({ ...ref, opId: 'u1#deduct', used: 50 });
    await store.release({ ...ref, opId: 'u1#return' });
    await store.apply({ ...ref, opId: 'u1#apply', ...grant });
    // The next one as one entry.
    await store.settle({ ...ref, opId: 'u2', used: 100, ...grant });
    await exportOnce({ redis, config, keyPrefix: prefix, logger });
    // The CCR-T, still in Redis only.
    await store.settle({ ...ref, opId: 't', used: 30 });

    const lines = await exportedLedger();
    expect(lines.map((l) => l.op)).toEqual(['set', 'apply', 'deduct', 'return', 'apply', 'settle']);
    expect(new Set(lines.map((l) => l.version))).toEqual(new Set([2]));
    expect((await store.readLedger(msisdn)).map((e) => e.op)).toEqual(['settle']);
    expect((await store.getAccount(msisdn))?.buckets.money).toEqual({
      available: 10_000 - 15 - 30 - 15,
      reserved: 0,
      spent: 15 + 30 + 15,
    });
    await expect(audit(redis, store, dir)).resolves.toMatchObject({ accounts: 1, failed: [] });
  });

  it('names a settle entry that changes what a bucket holds in all', async () => {
    const now = Date.now();
    const msisdn = '8613700000041';
    await activity(msisdn, 41, now);
    await exportOnce({ redis, config, keyPrefix: prefix, logger });
    // The balance follows the entry, so the totals agree: only the move itself is wrong.
    const id = await redis.xadd(
      `${prefix}ledger:{${msisdn}}`,
      '*',
      'e',
      `settle|10|0|${now}|money=-5/0/0|used=60|uncharged=0|granted=0`,
      'i',
      'forged',
      's',
      's-41',
    );
    await redis.hincrby(`${prefix}acct:{${msisdn}}`, 'avail:money', -5);
    const report = await audit(redis, store, dir);
    expect(report.failed).toEqual([
      { msisdn, problems: [`entry ${id} (settle) changes money's available + reserved + spent by -5`] },
    ]);
  });
});
