/**
 * The exporter killed at random points: load runs against Redis while `ocs serve` exports in a
 * child process (EXPORT_ENABLED, files rotated every 4 KiB), which is SIGKILLed twice and started
 * again. At the end the files hold every CDR and ledger entry Redis ever took, each exactly once
 * by id, no `.part` is left, and `ocs audit` finds every account adding up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BalanceStore } from '../../src/balance/index.js';
import { audit } from '../../src/commands/audit.js';
import { CdrWriter } from '../../src/credit-control/cdr.js';
import { SessionKeys } from '../../src/credit-control/keys.js';
import type { SessionRecord } from '../../src/credit-control/session-record.js';
import { SessionStore } from '../../src/credit-control/sessions.js';
import { ExportKeys } from '../../src/export/keys.js';
import { startLocalRedis, type LocalRedis } from '../../src/redis/local-redis.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ACCOUNTS = 40;
const WORKERS = 4;
const MONEY = [{ bucket: 'money', unitSize: 60, pricePerUnit: 15 }];

let local: LocalRedis;
let redis: Redis;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  local = await startLocalRedis({ persistence: 'none' });
  redis = new Redis(local.url);
  dir = await mkdtemp(join(tmpdir(), 'ocs-export-kill-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  redis?.disconnect();
  await local?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `ocs serve` exporting; resolves once it holds the export lock. */
function exporter(): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      REDIS_URL: local.url,
      DIAMETER_HOST: '127.0.0.1',
      DIAMETER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      EXPORT_ENABLED: 'true',
      EXPORT_DIR: dir,
      EXPORT_INSTANCE: 'kill_test',
      EXPORT_INTERVAL_MS: '20',
      EXPORT_FILE_MAX_BYTES: '4096',
      EXPORT_FILE_MAX_SECONDS: '1',
      EXPORT_LOCK_TTL_MS: '1000',
      EXPORT_KEEP_SECONDS: '3600',
      EXPORT_CDR_FORMAT: 'both',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('export: this instance exports now')) resolve({ child, exited });
    });
    void exited.then((code) => reject(new Error(`ocs serve exited ${code}: ${stderr}`)));
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msisdn = (i: number) => `86135${String(i).padStart(8, '0')}`;

/** Balance changes and closed sessions' CDRs on random accounts until `stop` says so. */
async function load(stop: () => boolean): Promise<number> {
  const store = new BalanceStore({ redis });
  const sessionKeys = new SessionKeys();
  const sessions = new SessionStore(redis, sessionKeys);
  const cdrs = new CdrWriter(redis, sessionKeys, 1_000_000);
  let n = 0;
  const worker = async (w: number) => {
    while (!stop()) {
      const i = ++n;
      const m = msisdn(i % ACCOUNTS);
      const now = Date.now();
      const sessionId = `pgw.kill;${w};${i}`;
      await store.apply({
        opId: `a${i}`,
        msisdn: m,
        sessionId,
        ratingGroup: 10,
        units: 120,
        expiresAtMs: now + 60_000,
        tiers: MONEY,
        nowMs: now,
      });
      const charged = await store.deduct({
        opId: `d${i}`,
        msisdn: m,
        sessionId,
        ratingGroup: 10,
        used: 61,
        nowMs: now,
      });
      await store.release({ opId: `r${i}`, msisdn: m, sessionId, ratingGroup: 10, nowMs: now });
      if (i % 7 === 0)
        await store.topup({ opId: `t${i}`, msisdn: m, amount: 100, nowMs: now, reference: `v${i}` });
      const record: SessionRecord = {
        sessionId,
        msisdn: m,
        kind: 'voice',
        tariff: 'std',
        currency: 'CNY',
        state: 'closed',
        lastNumber: 1,
        lastType: 'termination',
        lastAnswer: { resultCode: 2001, services: [] },
        startedAt: now - 61_000,
        updatedAt: now,
        reserved: [],
        used: { '10': 61 },
        amounts: charged.amounts,
        levels: [],
      };
      await sessions.save(record, {
        ttlSeconds: 60,
        cdr: cdrs.entry({
          sessionId,
          msisdn: m,
          service: 'voice',
          used: record.used,
          amounts: record.amounts,
          levels: [],
          startedAt: record.startedAt,
          endedAt: now,
          resultCode: 2001,
          reason: 'termination',
        }),
      });
      await pause(10);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  return n;
}

/** Every id of the final files of a kind and format, in file order. */
async function fileIds(kind: 'ledger' | 'cdr', format: 'jsonl' | 'csv'): Promise<string[]> {
  const names = (await readdir(dir))
    .filter((n) => n.startsWith(`${kind}-`) && n.endsWith(`.${format}.gz`))
    .sort();
  const ids: string[] = [];
  for (const name of names) {
    const lines = gunzipSync(await readFile(join(dir, name)))
      .toString('utf8')
      .split(/\r?\n/)
      .filter(Boolean);
    for (const line of lines) {
      if (format === 'jsonl') ids.push((JSON.parse(line) as { id: string }).id);
      else if (!line.startsWith('version,')) ids.push(line.split(',')[1]!);
    }
  }
  return ids;
}

/** Every id Redis holds for a kind: `<msisdn>:<stream id>` of every entry of every account. */
async function redisIds(kind: 'ledger' | 'cdr'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    for (const [id] of await redis.xrange(`${kind}:{${msisdn(i)}}`, '-', '+')) ids.push(`${msisdn(i)}:${id}`);
  }
  return ids;
}

describe('the exporter killed twice under load', () => {
  it('leaves every record in the files exactly once, and the balances add up', async () => {
    const store = new BalanceStore({ redis });
    for (let i = 0; i < ACCOUNTS; i++) {
      await store.upsertAccount({
        msisdn: msisdn(i),
        tariff: 'std',
        currency: 'CNY',
        buckets: { money: 1_000_000 },
      });
    }
    let stopped = false;
    const loading = load(() => stopped);
    for (let kill = 0; kill < 2; kill++) {
      const { child, exited } = await exporter();
      await pause(500 + Math.random() * 2000);
      child.kill('SIGKILL');
      await exited;
    }
    const last = await exporter();
    await pause(1000);
    stopped = true;
    const operations = await loading;
    expect(operations).toBeGreaterThan(100);
    const keys = new ExportKeys();
    for (;;) {
      const waiting = await Promise.all(
        (['ledger', 'cdr'] as const).flatMap((k) => [
          redis.zcard(keys.pending(k)),
          redis.zcard(keys.claimed(k)),
        ]),
      );
      if (waiting.every((c) => c === 0)) break;
      await pause(50);
    }
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const files = await readdir(dir);
    expect(files.filter((n) => n.endsWith('.part'))).toEqual([]);
    for (const kind of ['ledger', 'cdr'] as const) {
      const inRedis = await redisIds(kind);
      const formats = kind === 'cdr' ? (['jsonl', 'csv'] as const) : (['jsonl'] as const);
      for (const format of formats) {
        const inFiles = await fileIds(kind, format);
        expect(new Set(inFiles).size, `${kind} ${format}: a record written twice`).toBe(inFiles.length);
        expect([...inFiles].sort()).toEqual([...inRedis].sort());
      }
    }
    expect(await audit.run(['--dir', dir], { redisUrl: local.url, exportDir: dir })).toBe(0);
  });
});
