/** A module's table of scripts, as the loader turns it into a library and commands on a client. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReplyError, type Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLibrary } from '../../../src/redis/lua-library.js';
import { defineScripts } from '../../../src/redis/scripts.js';

const made: string[] = [];
afterAll(() => made.forEach((path) => rmSync(path, { recursive: true })));

function luaDir(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'lua-'));
  made.push(dir);
  mkdirSync(join(dir, 'includes'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.lua`), text);
  return pathToFileURL(`${dir}/`);
}

const dir = luaDir({
  'includes/one': 'local ONE = 1\n',
  get: '--- @include "one"\nreturn redis.call("GET", KEYS[1]) or ONE\n',
  put: '--- @include "one"\nreturn redis.call("SET", KEYS[1], ARGV[1])\n',
  plain: 'return ARGV[1]\n',
  varying: 'return #KEYS\n',
});

const table = {
  dir,
  library: 'test_lib',
  guardFailedCode: -12,
  scripts: {
    testGet: { file: 'get', keys: 1, library: true },
    testPut: { file: 'put', keys: 1, library: true },
    testPlain: { file: 'plain', keys: 0 },
    testVarying: { file: 'varying' },
  },
} as const;

/** The commands the table defines, as a client has them once registered. */
interface TestCommands {
  testGet(...keysAndArgs: unknown[]): Promise<unknown>;
  testPut(...keysAndArgs: unknown[]): Promise<unknown>;
}

interface Calls {
  defined: [string, { numberOfKeys?: number; lua: string }][];
  sent: unknown[][];
}

/** A client that records what it is asked; FCALL and FUNCTION answer as `functions` says. */
function fakeClient(functions: 'ok' | 'refused'): { client: Redis & TestCommands; calls: Calls } {
  const calls: Calls = { defined: [], sent: [] };
  const refuse = () => Promise.reject(new ReplyError("ERR unknown command 'function'"));
  const client = {
    isCluster: false,
    defineCommand(name: string, options: { numberOfKeys?: number; lua: string }) {
      calls.defined.push([name, options]);
    },
    call(...args: unknown[]) {
      calls.sent.push(['call', ...args]);
      return functions === 'ok' ? Promise.resolve('test_lib') : refuse();
    },
    fcall(...args: unknown[]) {
      calls.sent.push(['fcall', ...args]);
      return functions === 'ok' ? Promise.resolve('fcall-reply') : refuse();
    },
    evalsha(...args: unknown[]) {
      calls.sent.push(['evalsha', ...args]);
      return Promise.resolve('evalsha-reply');
    },
  };
  return { client: client as unknown as Redis & TestCommands, calls };
}

describe('buildLibrary', () => {
  const scripts = [
    { name: 'a', text: '--- @include "x"\nreturn X\n' },
    { name: 'b', text: '--- @include "x"\nreturn X + 1\n' },
  ];
  const read = () => 'local X = 1\n';

  it('names the library by its code and defines each include once', () => {
    const lib = buildLibrary('p', scripts, read);
    expect(lib.name).toMatch(/^p_[0-9a-f]{12}$/);
    expect(lib.code.startsWith(`#!lua name=${lib.name}\n`)).toBe(true);
    expect(lib.code.match(/local X = 1/g)).toHaveLength(1);
    expect(lib.functions).toEqual({ a: `${lib.name}_a`, b: `${lib.name}_b` });
    expect(buildLibrary('p', [scripts[0]!], read).name).not.toBe(lib.name);
  });

  it('gives each script a guarded twin only with a guard', () => {
    const plain = buildLibrary('p', scripts, read);
    expect(plain.guarded).toEqual({});
    expect(plain.code).not.toContain('_guarded');
    const guarded = buildLibrary('p', scripts, read, 'local function guarded() end');
    expect(guarded.guarded).toEqual({ a: `${guarded.name}_a_guarded`, b: `${guarded.name}_b_guarded` });
    expect(guarded.code).toContain(`redis.register_function('${guarded.name}_b_guarded'`);
  });
});

describe('defineScripts', () => {
  it('defines the scripts outside the library with defineCommand, keys given or not', () => {
    const scripts = defineScripts(table);
    const { client, calls } = fakeClient('ok');
    scripts.register(client);
    expect(calls.defined).toEqual([
      ['testPlain', { numberOfKeys: 0, lua: 'return ARGV[1]\n' }],
      ['testVarying', { lua: 'return #KEYS\n' }],
    ]);
  });

  it('calls the library with FCALL, the guard key last in KEYS and its value last in ARGV', async () => {
    const scripts = defineScripts(table);
    const { client, calls } = fakeClient('ok');
    scripts.register(client);
    scripts.register(client);
    const lib = scripts.library();
    await expect(client.testGet('k')).resolves.toBe('fcall-reply');
    await client.testPut('k', 'v', { key: 'g', value: 'held' });
    expect(calls.sent).toEqual([
      ['call', 'FUNCTION', 'LOAD', 'REPLACE', lib.code],
      ['fcall', lib.functions.testGet, 1, 'k'],
      ['fcall', lib.guarded.testPut, 2, 'k', 'g', 'v', 'held'],
    ]);
    expect(scripts.mode(client)).toBe('function');
  });

  it('runs the library scripts with EVALSHA where functions are refused', async () => {
    const scripts = defineScripts(table);
    const { client, calls } = fakeClient('refused');
    scripts.register(client);
    await expect(client.testGet('k')).resolves.toBe('evalsha-reply');
    expect(scripts.mode(client)).toBe('eval');
    const evalsha = calls.sent.filter((c) => c[0] === 'evalsha');
    expect(evalsha).toEqual([['evalsha', expect.stringMatching(/^[0-9a-f]{40}$/), 1, 'k']]);
    expect(scripts.sources().testGet).toContain('-- begin include "one"');
  });

  it('loads nothing for a table without library scripts', () => {
    const scripts = defineScripts({ dir, scripts: { testPlain: { file: 'plain', keys: 0 } } });
    const { client, calls } = fakeClient('ok');
    scripts.register(client);
    expect(calls.sent).toEqual([]);
    expect(scripts.mode(client)).toBeUndefined();
  });
});
