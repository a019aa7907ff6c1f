/** The operator commands: ocs account, ocs topup, ocs cdr export (on the admin services). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminContext, type AdminContext } from '../../src/admin/context.js';
import { cdrCsvLine, csvField } from '../../src/admin/cdr-format.js';
import { scanAccounts } from '../../src/admin/account-scan.js';
import { AdminError } from '../../src/admin/errors.js';
import { runAccount } from '../../src/commands/account.js';
import { parseCdrExport } from '../../src/commands/cdr-export.js';
import { exportCdrs } from '../../src/commands/cdr-records.js';
import { UsageError } from '../../src/commands/command.js';
import { runTopup } from '../../src/commands/topup.js';
import type { ChargingRecord } from '../../src/credit-control/cdr.js';
import { adminFixture, type AdminFixture } from './fixture.js';

let f: AdminFixture;
let ctx: AdminContext;
beforeAll(async () => {
  f = await adminFixture();
  ctx = adminContext({
    redis: f.redis,
    keyPrefix: f.prefix,
    catalog: f.catalog,
    sessionKeys: f.sessionKeys,
    now: () => f.clock.ms,
  });
});
afterAll(() => f.cleanup());

function printed(): { lines: string[]; print: (t: string) => void } {
  const lines: string[] = [];
  return { lines, print: (t) => lines.push(t) };
}

describe('ocs account', () => {
  it('shows an account with its buckets, and blocks, reports lost and unblocks it', async () => {
    const msisdn = await f.account(2500);
    const out = printed();
    expect(await runAccount(ctx, ['show', msisdn], out.print)).toBe(0);
    expect(out.lines[0]).toBe(
      `${msisdn}  active  prepaid  tariff std (CNY)  valid until no limit  min threshold 0\n` +
        '  money  available 2500  reserved 0  spent 0',
    );
    await runAccount(ctx, ['block', msisdn], out.print);
    expect(out.lines[1]).toMatch(new RegExp(`^${msisdn}  blocked `));
    await runAccount(ctx, ['lost', msisdn, '--json'], out.print);
    expect(JSON.parse(out.lines[2]!)).toMatchObject({
      status: 'lost',
      buckets: { money: { available: 2500 } },
    });
    await runAccount(ctx, ['unblock', msisdn], out.print);
    expect((await f.store.getAccount(msisdn))?.status).toBe('active');
  });

  it('refuses an unknown account and a wrong call', async () => {
    await expect(runAccount(ctx, ['show', f.number()], () => {})).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
    await expect(runAccount(ctx, ['freeze', '8613800000001'], () => {})).rejects.toBeInstanceOf(UsageError);
    await expect(runAccount(ctx, ['show'], () => {})).rejects.toBeInstanceOf(UsageError);
  });
});

describe('ocs topup', () => {
  it('tops up once per reference', async () => {
    const msisdn = await f.account(100);
    const out = printed();
    await runTopup(ctx, [msisdn, '500', '--reference', 'shop-1'], out.print);
    await runTopup(ctx, [msisdn, '500', '--reference', 'shop-1'], out.print);
    expect(out.lines).toEqual([
      `topped up ${msisdn} by 500 (reference shop-1): money available 600`,
      'reference shop-1 was applied before: nothing topped up now (money available 600 then)',
    ]);
    expect((await f.store.getAccount(msisdn))?.buckets.money?.available).toBe(600);
  });

  it('makes up a reference when none is given and prints it', async () => {
    const msisdn = await f.account(0);
    const out = printed();
    await runTopup(ctx, [msisdn, '25'], out.print);
    expect(out.lines[0]).toMatch(
      /^topped up \d+ by 25 \(reference cli-2026-03-15-[0-9a-f]{12}\): money available 25$/,
    );
  });

  it('refuses an amount that is not a whole number, and a reference reused for another amount', async () => {
    const msisdn = await f.account(0);
    await expect(runTopup(ctx, [msisdn, '10.50'], () => {})).rejects.toBeInstanceOf(UsageError);
    await runTopup(ctx, [msisdn, '10', '--reference', 'r'], () => {});
    await expect(runTopup(ctx, [msisdn, '11', '--reference', 'r'], () => {})).rejects.toBeInstanceOf(
      AdminError,
    );
  });
});

describe('ocs cdr export', () => {
  const record = (msisdn: string, n: number, extra: Partial<ChargingRecord> = {}): ChargingRecord => ({
    sessionId: `pcef;${n}`,
    msisdn,
    service: 'voice',
    calledParty: '861065000000',
    used: { '100': 61 },
    amounts: { money: 30 },
    levels: ['pps:std:voice-mo'],
    startedAt: Date.UTC(2026, 2, n),
    endedAt: Date.UTC(2026, 2, n) + 61_000,
    resultCode: 2001,
    reason: 'termination',
    ...extra,
  });

  it('reads its options', () => {
    expect(
      parseCdrExport(['export', '--msisdn', '8613800000001', '--since', '2026-03-01', '--format', 'jsonl']),
    ).toEqual({
      accounts: ['8613800000001'],
      sinceMs: Date.UTC(2026, 2, 1),
      format: 'jsonl',
    });
    expect(parseCdrExport(['export', '--all', '--until', '2026-04-01T00:00:00Z']).accounts).toBe('all');
    for (const bad of [
      ['export'],
      ['export', '--all', '--msisdn', '8613800000001'],
      ['export', '--all', '--since', 'March'],
      ['export', '--all', '--format', 'xml'],
      ['export', '--all', '--since', '2026-04-01', '--until', '2026-03-01'],
      ['list', '--all'],
    ]) {
      expect(() => parseCdrExport(bad), bad.join(' ')).toThrow(UsageError);
    }
  });

  it('writes CSV in RFC 4180, oldest first, within [since, until)', async () => {
    const msisdn = await f.account();
    for (const n of [1, 2, 3]) {
      await f.redis.xadd(
        f.sessionKeys.cdrs(msisdn),
        `${Date.UTC(2026, 2, n)}-0`,
        'cdr',
        JSON.stringify(record(msisdn, n, n === 2 ? { calledParty: 'sip:"boss",x@ims.example' } : {})),
      );
    }
    const chunks: string[] = [];
    const counts = await exportCdrs(
      ctx,
      { accounts: [msisdn], sinceMs: Date.UTC(2026, 2, 2), untilMs: Date.UTC(2026, 2, 3), format: 'csv' },
      (c) => {
        chunks.push(c);
      },
    );
    expect(counts).toEqual({ accounts: 1, records: 1 });
    expect(chunks.join('')).toBe(
      'id,sessionId,msisdn,service,callingParty,calledParty,role,startedAt,endedAt,used,amounts,money,levels,resultCode,reason,action\r\n' +
        `${Date.UTC(2026, 2, 2)}-0,pcef;2,${msisdn},voice,,"sip:""boss"",x@ims.example",,2026-03-02T00:00:00.000Z,` +
        '2026-03-02T00:01:01.000Z,100=61,money=30,30,pps:std:voice-mo,2001,termination,\r\n',
    );
  });

  it('writes JSON lines of every account with --all', async () => {
    const a = await f.account();
    const b = await f.account();
    await f.cdrs.write(record(a, 4));
    await f.cdrs.write(record(b, 5));
    const all: string[] = [];
    for await (const m of scanAccounts(ctx.redis, ctx.store)) all.push(m);
    expect(all).toEqual(expect.arrayContaining([a, b]));
    const lines: string[] = [];
    const counts = await exportCdrs(ctx, { accounts: 'all', format: 'jsonl' }, (c) => {
      lines.push(c);
    });
    expect(counts.accounts).toBe(all.length);
    const parsed = lines.map((l) => JSON.parse(l) as { msisdn: string; sessionId: string });
    expect(parsed).toContainEqual(expect.objectContaining({ msisdn: a, sessionId: 'pcef;4' }));
    expect(parsed).toContainEqual(expect.objectContaining({ msisdn: b, sessionId: 'pcef;5' }));
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  });

  it('quotes a CSV field only when it must', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(undefined)).toBe('');
    expect(cdrCsvLine({ id: '1-0', ...record('8613800000001', 1, { amounts: {} }) })).toContain(',,0,');
  });
});
