/**
 * How the scripts reach Redis: one function library (FCALL) on Redis 7, reloaded when it is
 * missing, and EVALSHA where functions cannot be used.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BalanceStore } from '../../../src/balance/index.js';
import { library, registerScripts, scriptMode } from '../../../src/balance/scripts.js';
import { balanceFixture, msisdn, VOICE, withoutFunctions } from './fixture.js';

const f = balanceFixture();
afterAll(() => f.cleanup());

const NOW = 1_790_000_000_000;

async function applyOnce(store: BalanceStore, m: string, opId: string) {
  return store.apply({
    opId,
    msisdn: m,
    sessionId: opId,
    ratingGroup: 0,
    tiers: VOICE,
    units: 60,
    nowMs: NOW,
    expiresAtMs: NOW + 60_000,
  });
}

describe('the function library', () => {
  it('is loaded once, named by its code, with a function per script', async () => {
    const lib = library();
    expect(lib.name).toMatch(/^ocs_balance_[0-9a-f]{12}$/);
    expect(lib.code.startsWith(`#!lua name=${lib.name}\n`)).toBe(true);
    expect(lib.code.match(/-- begin include "integers"/g)).toHaveLength(1);
    await f.store.upsertAccount({ msisdn: msisdn(), buckets: {} });
    expect(scriptMode(f.redis)).toBe('function');
    const listed = (await f.redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', lib.name)) as unknown[][];
    const names = JSON.stringify(listed);
    for (const fn of Object.values(lib.functions)) expect(names).toContain(fn);
  });

  it('is loaded again when Redis lost it', async () => {
    const client = f.connect();
    const store = new BalanceStore({ redis: client, keyPrefix: f.prefix });
    const m = msisdn();
    await store.upsertAccount({ msisdn: m, buckets: { money: 100 } });
    await client.call('FUNCTION', 'DELETE', library().name);
    await expect(applyOnce(store, m, 'after-delete')).resolves.toMatchObject({ granted: 60 });
    expect(scriptMode(client)).toBe('function');
  });

  it('falls back to EVALSHA where functions are refused, with the same answers', async () => {
    const client = withoutFunctions(f.connect());
    const store = new BalanceStore({ redis: client, keyPrefix: f.prefix });
    const m = msisdn();
    await store.upsertAccount({ msisdn: m, buckets: { money: 100 } });
    expect(scriptMode(client)).toBe('eval');
    const first = await applyOnce(store, m, 'eval-1');
    expect(first).toMatchObject({ granted: 60, moneyAvailable: 85 });
    // the same operation through the library: the replay is the first answer
    await expect(applyOnce(f.store, m, 'eval-1')).resolves.toEqual(first);
    registerScripts(client); // a second registration changes nothing
    expect(scriptMode(client)).toBe('eval');
  });
});
