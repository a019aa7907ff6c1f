import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BalanceStore } from '../../../src/balance/index.js';
import { SCRIPTS, scriptSources, type ScriptName } from '../../../src/balance/scripts.js';
import { balanceFixture, msisdn, VOICE } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const names = Object.keys(SCRIPTS) as ScriptName[];

describe('scripts', () => {
  it.each(names)('%s compiles in Redis', async (name) => {
    const sha = await f.redis.script('LOAD', scriptSources()[name]);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(names)("%s's header lists exactly the KEYS it uses, its ARGV and its returns", (name) => {
    const { file, keys } = SCRIPTS[name];
    const raw = readFileSync(new URL(`../../../src/balance/lua/${file}.lua`, import.meta.url), 'utf8');
    const header = raw.slice(0, raw.indexOf(']]'));
    expect(raw.startsWith('--[[')).toBe(true);
    for (let i = 1; i <= keys; i++) expect(header).toContain(`KEYS[${i}]`);
    expect(header).not.toContain(`KEYS[${keys + 1}]`);
    expect(header).toMatch(/ARGV/);
    expect(header).toMatch(/Returns/);
    const used = [...scriptSources()[name].matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(Math.max(...used)).toBeLessThanOrEqual(keys);
  });

  it('reloads the scripts after the server lost them (NOSCRIPT)', async () => {
    const client = f.connect();
    const store = new BalanceStore({ redis: client, keyPrefix: f.prefix });
    const m = msisdn();
    await store.upsertAccount({ msisdn: m, buckets: { money: 100 } });
    await client.script('FLUSH');
    await expect(
      store.apply({
        opId: 'after-flush',
        msisdn: m,
        sessionId: 's',
        ratingGroup: 0,
        tiers: VOICE,
        units: 60,
        nowMs: 1,
        expiresAtMs: 2,
      }),
    ).resolves.toMatchObject({ granted: 60 });
  });

  it('puts every key of an account in the same cluster slot', () => {
    const m = msisdn();
    const k = f.store.keys.account(m);
    const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
    for (const key of [k.account, k.reservations, k.ledger, f.store.keys.operation(m, 'a{b}')]) {
      expect(tag(key)).toBe(m);
    }
  });
});
