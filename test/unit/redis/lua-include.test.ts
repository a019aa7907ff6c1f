import { describe, expect, it } from 'vitest';
import { inlineIncludes } from '../../../src/redis/lua-include.js';

const files: Record<string, string> = {
  a: 'local A = 1\n',
  b: '--- @include "a"\nlocal B = A + 1\n',
  c: '--- @include "a"\n--- @include "b"\nlocal C = B + 1\n',
  loop1: '--- @include "loop2"\n',
  loop2: '--- @include "loop1"\n',
};
const read = (name: string) => {
  const text = files[name];
  if (text === undefined) throw new Error(`no include ${name}`);
  return text;
};

describe('inlineIncludes', () => {
  it('replaces an include line with the file, marked at both ends', () => {
    expect(inlineIncludes('--- @include "a"\nreturn A', read)).toBe(
      '-- begin include "a"\nlocal A = 1\n-- end include "a"\nreturn A',
    );
  });

  it('inlines nested includes first, and each include only once', () => {
    const out = inlineIncludes('--- @include "c"\n--- @include "a"\nreturn C', read);
    expect(out.match(/local A = 1/g)).toHaveLength(1);
    expect(out.indexOf('local A')).toBeLessThan(out.indexOf('local B'));
    expect(out.indexOf('local B')).toBeLessThan(out.indexOf('local C'));
    expect(out).toContain('-- (include "a" already inlined)');
  });

  it('leaves other comments and code alone', () => {
    const src = '-- @include "a"\n--- @include a\nlocal x = "--- @include \\"a\\""';
    expect(inlineIncludes(src, read)).toBe(src);
  });

  it('reports a cycle with its path', () => {
    expect(() => inlineIncludes('--- @include "loop1"', read, 'main')).toThrow(
      'main: include cycle main -> loop1 -> loop2 -> loop1',
    );
  });

  it('lets a missing include fail loudly', () => {
    expect(() => inlineIncludes('--- @include "nope"', read)).toThrow('no include nope');
  });
});
