import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VpnError } from '../../../src/vpn/errors.js';
import { VpnScriptCode, vpnErrorFromCode, type VpnScriptCall } from '../../../src/vpn/script-codes.js';
import { VPN_SCRIPTS } from '../../../src/vpn/scripts.js';

const enumCodes: Record<string, number> = Object.fromEntries(
  Object.entries(VpnScriptCode).filter((e): e is [string, number] => typeof e[1] === 'number'),
);

const lua = (file: string) =>
  readFileSync(new URL(`../../../src/vpn/lua/${file}.lua`, import.meta.url), 'utf8');

const scripts = Object.values(VPN_SCRIPTS).map(({ file }) => {
  const source = lua(file);
  const end = source.indexOf(']]');
  return { file, header: source.slice(0, end), body: source.slice(end + 2) };
});

/** `  -3 ALREADY_MEMBER  {...}` lines of a header. */
function documented(header: string): Record<string, number> {
  return Object.fromEntries(
    [...header.matchAll(/^ +(-?\d+) ([A-Z][A-Z_]+)\b/gm)].map((m) => [m[2], Number(m[1])]),
  );
}

/** `local ALREADY_MEMBER = -3` lines of a body. */
function declared(body: string): Record<string, number> {
  return Object.fromEntries(
    [...body.matchAll(/^local ([A-Z][A-Z_]+) = (-?\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
}

/** The codes every script includes (lua/includes/codes.lua). */
const included = declared(lua('includes/codes'));

describe('VPN script codes', () => {
  it('the codes include declares every VpnScriptCode with its value, and nothing else', () => {
    expect(included).toEqual(enumCodes);
  });

  it('every script takes its codes from the include and declares none of its own', () => {
    for (const { file, body } of scripts) {
      if (file === 'unlock') continue; // answers a plain 1 or 0, no outcome code
      expect(body, file).toContain('--- @include "codes"');
      expect(declared(body), file).toEqual({});
    }
  });

  it('every code a header lists has the value of VpnScriptCode', () => {
    for (const { file, header } of scripts) {
      const listed = documented(header);
      for (const [name, value] of Object.entries(listed))
        expect([file, name, value]).toEqual([file, name, enumCodes[name]]);
    }
  });

  it('every code a script returns is a VpnScriptCode its header lists', () => {
    let returned = 0;
    for (const { file, header, body } of scripts) {
      const listed = Object.keys(documented(header));
      const codes = [
        ...[...body.matchAll(/return\s*\{\s*(-?\d+|[A-Z][A-Z_]*)/g)].map((m) => m[1] as string),
        ...[...body.matchAll(/return\s+(-\d+)/g)].map((m) => m[1] as string),
      ];
      for (const code of codes) {
        const value = /^-?\d+$/.test(code) ? Number(code) : included[code];
        const name = Object.keys(enumCodes).find((k) => enumCodes[k] === value);
        expect(name, `${file}: return ${code}`).toBeDefined();
        expect(listed, `${file}: return ${code}`).toContain(name);
        returned++;
      }
    }
    expect(returned).toBeGreaterThan(0);
  });

  it('gives each code one meaning: one name', () => {
    const values = Object.values(enumCodes);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('vpnErrorFromCode', () => {
  const call: VpnScriptCall = {
    group: 'G',
    msisdn: '8613800000001',
    shortNumber: '6001',
    extensionLength: 4,
    maxMembers: 10,
  };
  const details: Record<number, unknown[]> = {
    [VpnScriptCode.ALREADY_MEMBER]: ['{"shortNumber":"6002","identity":"joins","display":"short"}'],
  };

  it('turns every refusal into the VpnError of the same name (a lost lock is BUSY)', () => {
    const refusals = Object.entries(enumCodes).filter(([, v]) => v < 0);
    expect(refusals.length).toBeGreaterThan(0);
    for (const [name, code] of refusals) {
      const err = vpnErrorFromCode(code, details[code] ?? ['3', '2'], call);
      expect(err).toBeInstanceOf(VpnError);
      expect(err.code).toBe(name === 'LOCK_LOST' ? 'BUSY' : name);
    }
  });

  it('names what was asked and what the script answered', () => {
    expect(
      vpnErrorFromCode(VpnScriptCode.ALREADY_MEMBER, details[VpnScriptCode.ALREADY_MEMBER] ?? [], call)
        .reason,
    ).toBe(
      '8613800000001 is already in group G (short number 6002, joins); unregister it first to change it',
    );
    expect(vpnErrorFromCode(VpnScriptCode.EXTENSION_LENGTH_LOCKED, [3, 5], call).reason).toBe(
      'group G has 3 members with 5-digit short numbers: its extension length cannot change to 4',
    );
  });

  it('treats a success or an unknown code as a bug', () => {
    expect(() => vpnErrorFromCode(-99, [], call)).toThrow(/unknown code -99/);
    expect(() => vpnErrorFromCode(VpnScriptCode.OK, [], call)).toThrow(/unknown code 0/);
    expect(() => vpnErrorFromCode(VpnScriptCode.UNCHANGED, [], call)).toThrow(/unknown code 1/);
    expect(() => vpnErrorFromCode(VpnScriptCode.GROUP_NOT_FOUND, [], {})).toThrow(/needs the call's group/);
  });
});
