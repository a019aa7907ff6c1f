import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVP_NAMES, resolveAvps } from '../../../src/diameter/avps.js';
import { defaultDictionary } from '../../../src/diameter/dictionary.js';

const dict = defaultDictionary();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('AVP names the code uses', () => {
  it('resolves every name of the AVP table', () => {
    const avps = resolveAvps(dict);
    for (const [key, name] of Object.entries(AVP_NAMES))
      expect(avps[key as keyof typeof avps].name).toBe(name);
  });

  it('finds every AVP named by a dictionary lookup anywhere in src/', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(new URL('../../../src', import.meta.url).pathname)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:avpByName|enumValue)\(\s*'([^']+)'/g)) used.add(m[1]!);
    }
    const missing = [...used].filter((name) => !dict.hasAvp(name));
    expect(missing).toEqual([]);
  });
});
