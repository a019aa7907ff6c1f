/**
 * The exporter on a real Redis: the scripts mark the accounts they write, `exportOnce` moves
 * their entries into compressed files exactly once, stores the cursors, trims what left the
 * window, and a run cut between the sync and the cursors writes nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { BalanceStore } from '../../../src/balance/index.js';
import { CdrWriter, type ChargingRecord } from '../../../src/credit-control/cdr.js';
import { SessionKeys } from '../../../src/credit-control/keys.js';
import { loadExportConfig, type ExportConfig } from '../../../src/export/config.js';
import { exportOnce, ExportBusyError } from '../../../src/export/export-once.js';
import { ExportKeys } from '../../../src/export/keys.js';
import { exportParts } from '../../../src/export/service.js';

const redis = new Redis(inject('redisUrl'));
const logger = pino({ level: 'silent' });
afterAll(() => redis.disconnect());

let prefix: string;
let dir: string;
let config: ExportConfig;
let store: BalanceStore;
let cdrs: CdrWriter;
let keys: ExportKeys;

beforeEach(async () => {
  prefix = `t-exp-${randomUUID().slice(0, 8)}:`;
  dir = await mkdtemp(join(tmpdir(), 'ocs-export-'));
  config = loadExportConfig({ EXPORT_DIR: dir, EXPORT_INSTANCE: 'test1', EXPORT_CDR_FORMAT: 'both' });
  store = new BalanceStore({ redis, keyPrefix: prefix });
  cdrs = new CdrWriter(redis, new SessionKeys(prefix), 1000);
  keys = new ExportKeys(prefix);
});
afterEach(async () => {
  const leftovers = await redis.keys(`${prefix}*`);
  if (leftovers.length) await redis.del(...leftovers);
  await rm(dir, { recursive: true, force: true });
});

const deps = () => ({ redis, config, keyPrefix: prefix, logger });

/** Every line of the final files of a kind and format, parsed (CSV: split on commas). */
async function lines(kind: 'ledger' | 'cdr', format: 'jsonl' | 'csv' = 'jsonl'): Promise<string[]> {
  const names = (await readdir(dir))
    .filter((n) => n.startsWith(`${kind}-`) && n.endsWith(`.${format}.gz`))
    .sort();
  const out: string[] = [];
  for (const name of names) {
    const text = gunzipSync(await readFile(join(dir, name))).toString('utf8');
    out.push(...text.split(/\r?\n/).filter((l) => l !== ''));
  }
  return out;
}

const ids = (jsonLines: string[]) => jsonLines.map((l) => (JSON.parse(l) as { id: string }).id);

async function account(msisdn: string, balance: number, at: number) {
  await store.upsertAccount({ msisdn, tariff: 'std', currency: 'CNY', buckets: { money: balance } }, at);
}

function cdr(msisdn: string, n: number, money: number): ChargingRecord {
  return {
    sessionId: `pgw;${n}`,
    msisdn,
    service: 'data',
    used: { '10': 1024 },
    amounts: money > 0 ? { money } : ({ 'vpn:p:free-seconds': 60 } as Record<string, number>),
    levels: [],
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_060_000,
    resultCode: 2001,
    reason: 'termination',
  };
}

describe('the exporter', () => {
  it('marks each account a script writes, once, with the time of its first entry', async () => {
    const now = Date.now();
    await account('8613900000001', 500, now);
    await store.topup({ opId: 't1', msisdn: '8613900000001', amount: 100, nowMs: now, reference: 'v1' });
    const pending = await redis.zrange(keys.pending('ledger'), '0', '-1', 'WITHSCORES');
    expect(pending[0]).toBe('8613900000001');
    const [first] = await redis.xrange(`${prefix}ledger:{8613900000001}`, '-', '+', 'COUNT', 1);
    expect(pending[1]).toBe(first![0].split('-')[0]);
    await cdrs.write(cdr('8613900000001', 1, 20));
    expect(await redis.zrange(keys.pending('cdr'), '0', '-1')).toEqual(['8613900000001']);
  });

  it('writes every entry once to compressed files, stores the cursors and empties the pending sets', async () => {
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      const m = `861390000010${i}`;
      await account(m, 1000, now);
      await store.topup({ opId: `t${i}`, msisdn: m, amount: 50, nowMs: now, reference: `r${i}` });
      await cdrs.write(cdr(m, i, 30));
      await cdrs.write(cdr(m, i + 10, 0));
    }
    const result = await exportOnce(deps());
    expect(result.records).toEqual({ ledger: 6, cdr: 6 });
    const ledger = (await lines('ledger')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ledger).toHaveLength(6);
    expect(new Set(ledger.map((l) => l.id)).size).toBe(6);
    expect(ledger[0]).toMatchObject({ version: 2, msisdn: '8613900000100', op: 'set' });
    const cdrLines = (await lines('cdr')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(cdrLines.map((c) => c.moneyCharged)).toEqual([30, 0, 30, 0, 30, 0]);
    expect(cdrLines[1]).toMatchObject({
      version: 1,
      sessionId: 'pgw;10',
      start: '2023-11-14T22:13:20.000Z',
      end: '2023-11-14T22:14:20.000Z',
      used: { '10': 1024 },
      buckets: { 'vpn:p:free-seconds': 60 },
      reason: 'termination',
    });
    const csv = await lines('cdr', 'csv');
    expect(csv[0]).toBe(
      'version,id,sessionId,msisdn,service,start,end,used,moneyCharged,buckets,levels,resultCode,reason,callingParty,calledParty,role,action',
    );
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(cdrLines.map((c) => c.id));
    expect(await redis.zcard(keys.pending('ledger'))).toBe(0);
    expect(await redis.zcard(keys.claimed('cdr'))).toBe(0);
    const [last] = await redis.xrevrange(`${prefix}cdr:{8613900000102}`, '+', '-', 'COUNT', 1);
    expect(await redis.hget(keys.cursor('8613900000102'), 'cdr')).toBe(last![0]);
    // Nothing new: a second run writes no record and no file.
    const again = await exportOnce(deps());
    expect(again).toMatchObject({ records: { ledger: 0, cdr: 0 }, files: [] });
  });

  it('trims exported entries once they leave the window, and never one not exported', async () => {
    const now = Date.now();
    await account('8613900000200', 1000, now);
    await cdrs.write(cdr('8613900000200', 1, 10));
    await exportOnce({ ...deps(), config: { ...config, keepSeconds: 0 } });
    expect(await redis.xlen(`${prefix}cdr:{8613900000200}`)).toBe(0);
    expect(await redis.xlen(`${prefix}ledger:{8613900000200}`)).toBe(0);
    await cdrs.write(cdr('8613900000200', 2, 10));
    // Kept for the window: exported, still readable from Redis.
    await exportOnce({ ...deps(), config: { ...config, keepSeconds: 600 } });
    expect(await redis.xlen(`${prefix}cdr:{8613900000200}`)).toBe(1);
    // Written after the export: not exported, so not trimmed whatever the window.
    await cdrs.write(cdr('8613900000200', 3, 10));
    const parts = exportParts({ ...deps(), config: { ...config, keepSeconds: 0 } });
    await redis.ocsExportCommit(
      keys.cursor('8613900000200'),
      `${prefix}cdr:{8613900000200}`,
      'cdr',
      '',
      Date.now() + 1000,
    );
    expect(await redis.xlen(`${prefix}cdr:{8613900000200}`)).toBe(1);
    await parts.leader.release();
    expect(ids(await lines('cdr'))).toHaveLength(2);
  });

  it('after a run cut between the sync and the cursors, writes nothing twice', async () => {
    const now = Date.now();
    for (let i = 0; i < 4; i++) await account(`861390000030${i}`, 100 + i, now);
    // A run that synced its file and died before storing a cursor: its claim and its .part stay.
    const cut = exportParts(deps());
    expect(await cut.leader.acquire()).toBe(true);
    const accounts = await redis.ocsExportClaim(keys.pending('ledger'), keys.claimed('ledger'), 100, '+inf');
    expect(accounts).toHaveLength(4);
    const entries = await redis.xrange(`${prefix}ledger:{8613900000300}`, '-', '+');
    const { ledgerLine } = await import('../../../src/export/records.js');
    const { decodeLedgerEntry } = await import('../../../src/balance/stored-layout.js');
    await cut.files.ledger.append({
      jsonl: entries.map((e) => ledgerLine('8613900000300', decodeLedgerEntry(e))),
    });
    await cut.files.ledger.sync();
    await cut.files.ledger.abandon();
    await redis.del(keys.leader());
    expect((await readdir(dir)).filter((n) => n.endsWith('.part'))).toHaveLength(1);

    const result = await exportOnce(deps());
    expect(result.recovered).toBe(1);
    expect(result.records.ledger).toBe(3);
    const all = ids(await lines('ledger'));
    expect(all).toHaveLength(4);
    expect(new Set(all).size).toBe(4);
    expect((await readdir(dir)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('refuses to run while another instance holds the lock', async () => {
    await redis.set(keys.leader(), 'ocs-2:abc', 'PX', 10_000);
    await expect(exportOnce(deps())).rejects.toThrow(ExportBusyError);
    await expect(exportOnce(deps())).rejects.toThrow(/ocs-2:abc/);
  });
});
