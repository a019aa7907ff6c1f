import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../src/config-cache/ttl-cache.js';
import { isVpnError, VPN_ERROR_STATUS, VpnError, vpnErrors } from '../../../src/vpn/errors.js';
import { VpnKeys } from '../../../src/vpn/keys.js';
import {
  decodeActivation,
  decodeMemberships,
  encodeActivation,
  encodeMemberEntry,
} from '../../../src/vpn/read.js';
import { VPN_SCRIPTS } from '../../../src/vpn/scripts.js';

describe('VpnKeys', () => {
  it('puts every key in the one {vpn} slot, after the prefix', () => {
    const k = new VpnKeys('p:');
    const keys = [
      k.groups(),
      k.shortNumbers('ZTE-SZ'),
      k.member('8613800000001'),
      k.packages(),
      k.activations(),
      k.feeSequence(),
      k.lock('8613800000001'),
    ];
    expect(keys).toEqual([
      'p:vpn:{vpn}:groups',
      'p:vpn:{vpn}:short:ZTE-SZ',
      'p:vpn:{vpn}:member:8613800000001',
      'p:vpn:{vpn}:packages',
      'p:vpn:{vpn}:activations',
      'p:vpn:{vpn}:fee-seq',
      'p:vpn:{vpn}:lock:8613800000001',
    ]);
    for (const key of keys) expect(/\{([^}]*)\}/.exec(key)?.[1]).toBe('vpn');
  });

  it('refuses parts that would break the hash tag or the layout', () => {
    expect(() => new VpnKeys('{x}')).toThrow(RangeError);
    expect(() => new VpnKeys().member('86{1}')).toThrow(RangeError);
    expect(() => new VpnKeys().shortNumbers('a:b')).toThrow(RangeError);
    expect(() => new VpnKeys().shortNumbers('')).toThrow(RangeError);
  });
});

describe('the VPN error catalogue', () => {
  it('gives every code a status of 404, 409 or 422', () => {
    for (const status of Object.values(VPN_ERROR_STATUS)) expect([404, 409, 422]).toContain(status);
  });

  it('every refusal says its code and why', () => {
    const e = vpnErrors.shortNumberLength('ZTE-SZ', '60011', 4);
    expect(e).toBeInstanceOf(VpnError);
    expect(e.message).toBe('SHORT_NUMBER_LENGTH: short number 60011 has 5 digits, group ZTE-SZ needs 4');
    expect(e.reason).toBe('short number 60011 has 5 digits, group ZTE-SZ needs 4');
    expect(e.status).toBe(422);
    expect(isVpnError(e, 'SHORT_NUMBER_LENGTH')).toBe(true);
    expect(isVpnError(e, 'GROUP_FULL')).toBe(false);
    expect(isVpnError(new Error('x'))).toBe(false);
    expect(vpnErrors.shortNumberLength('G', '1', 4).message).toMatch(/has 1 digit,/);
    expect(vpnErrors.groupNotFound('X').status).toBe(404);
    expect(vpnErrors.belongsElsewhere('1', 'G').status).toBe(409);
    expect(vpnErrors.notBelonging('1', []).message).toBe(
      'NOT_BELONGING: 1 belongs to no group: only a belonging member may activate a VPN package',
    );
    expect(vpnErrors.insufficientFunds('1', 'p', 500, undefined).message).toBe(
      'INSUFFICIENT_FUNDS: 1 cannot pay the monthly fee of 500 of package p',
    );
  });
});

describe('stored forms', () => {
  it('a membership entry has one spelling, so equal entries are equal strings', () => {
    expect(encodeMemberEntry({ display: 'short', identity: 'joins', shortNumber: '6001' })).toBe(
      '{"shortNumber":"6001","identity":"joins","display":"short"}',
    );
    expect(
      decodeMemberships({
        B: encodeMemberEntry({ shortNumber: '7001', identity: 'joins', display: 'long' }),
        A: encodeMemberEntry({ shortNumber: '6001', identity: 'belongs', display: 'short' }),
      }).map((m) => m.group),
    ).toEqual(['A', 'B']);
  });

  it('an activation round-trips, with and without a waiting switch, and garbage is refused', () => {
    const a = {
      msisdn: '1',
      package: 'p',
      status: 'active',
      activeFrom: '2026-11',
      paidThrough: '',
    } as const;
    expect(decodeActivation(encodeActivation(a))).toEqual(a);
    const b = { ...a, next: { package: 'q', from: '2026-12' } };
    expect(decodeActivation(encodeActivation(b))).toEqual(b);
    expect(encodeActivation({ ...a, next: undefined })).not.toContain('next');
    expect(() => decodeActivation('{"msisdn":"1"}')).toThrow();
  });
});

describe('the Lua scripts', () => {
  it('each header documents as many KEYS as the command is defined with', () => {
    for (const { file, keys } of Object.values(VPN_SCRIPTS)) {
      const source = readFileSync(new URL(`../../../src/vpn/lua/${file}.lua`, import.meta.url), 'utf8');
      const header = /--\[\[([\s\S]*?)\]\]/.exec(source)?.[1] ?? '';
      const documented = new Set([...header.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])));
      expect([...documented].sort(), file).toEqual(Array.from({ length: keys }, (_, i) => i + 1));
      expect(header, file).toMatch(/Returns/);
    }
  });
});

describe('TtlCache', () => {
  const setup = (ttl = 1000, max = 3) => {
    let now = 0;
    const cache = new TtlCache<string>(ttl, max, () => now);
    let loads = 0;
    const load = (value: string) => () => {
      loads += 1;
      return Promise.resolve(value);
    };
    return { cache, load, loads: () => loads, tick: (ms: number) => (now += ms) };
  };

  it('loads once, serves from memory until the TTL, then loads again', async () => {
    const { cache, load, loads, tick } = setup();
    expect(await cache.get('k', load('v1'))).toBe('v1');
    expect(await cache.get('k', load('v2'))).toBe('v1');
    tick(999);
    expect(await cache.get('k', load('v2'))).toBe('v1');
    tick(1);
    expect(await cache.get('k', load('v2'))).toBe('v2');
    expect(loads()).toBe(2);
  });

  it('callers asking at the same time share one load', async () => {
    const { cache, load, loads } = setup();
    const values = await Promise.all([
      cache.get('k', load('a')),
      cache.get('k', load('b')),
      cache.get('k', load('c')),
    ]);
    expect(values).toEqual(['a', 'a', 'a']);
    expect(loads()).toBe(1);
  });

  it('does not keep a value loaded across an invalidation', async () => {
    const { cache } = setup();
    let release: (v: string) => void = () => {};
    const slow = cache.get('k', () => new Promise<string>((r) => (release = r)));
    cache.delete('k');
    release('stale');
    expect(await slow).toBe('stale');
    expect(await cache.get('k', () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const { cache, load, loads } = setup(1000, 2);
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('c', load('c'));
    expect(cache.size).toBe(2);
    await cache.get('a', load('a'));
    expect(loads()).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('a failed load is not cached', async () => {
    const { cache } = setup();
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', () => Promise.resolve('up'))).toBe('up');
  });
});
