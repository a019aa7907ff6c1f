/**
 * The FCALL a hot script sends is byte for byte what ioredis would have written for the same
 * call: keys, the guard's key after them, ARGV, the guard's value last; numbers as ioredis
 * writes them, text of any script in UTF-8, empty arguments kept.
 */
import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FcallEncoding } from '../../../src/redis/fcall-encoding.js';
import type { ScriptCallArg } from '../../../src/redis/script-call.js';

function asIoredisWrites(fn: string, numKeys: number, args: (string | number)[]): string {
  const written = new Command('fcall', [fn, numKeys, ...args]).toWritable({});
  return Buffer.isBuffer(written) ? written.toString('utf8') : written;
}

describe('FcallEncoding', () => {
  it('encodes keys, then ARGV, as ioredis does', () => {
    const args = [
      'acct:{861}',
      'ledger:{861}',
      1_764_000_000_123,
      'pgw;1;2',
      '',
      0,
      -5,
      1.5,
      'x'.repeat(300),
    ];
    const encoded = new FcallEncoding('ocs_balance_abc_settle').encode(args, 2);
    expect(encoded).toBe(asIoredisWrites('ocs_balance_abc_settle', 2, args));
  });

  it('puts a guard key after the keys and its value after ARGV', () => {
    const args: ScriptCallArg[] = ['k1', 'k2', 'k3', 'a1', 7, { key: 'sess:{861}', value: 'v"1' }];
    const encoded = new FcallEncoding('f_guarded').encode(args, 3);
    expect(encoded).toBe(asIoredisWrites('f_guarded', 4, ['k1', 'k2', 'k3', 'sess:{861}', 'a1', 7, 'v"1']));
  });

  it('counts bytes, not characters, for text outside ASCII', () => {
    const args = ['账户:{8613900000001}', 'Zürich → 北京 🚀', ''];
    const encoded = new FcallEncoding('fn').encode(args, 1);
    expect(encoded).toBe(asIoredisWrites('fn', 1, args));
    expect(encoded).toContain('$23\r\nZürich → 北京 🚀\r\n');
  });

  it('encodes calls of every size, from none to many arguments', () => {
    const encoding = new FcallEncoding('f');
    for (const n of [0, 1, 9, 10, 11, 99, 100, 101]) {
      const args = Array.from({ length: n }, (_, i) => (i % 2 ? i * 1_000_003 : `a${i}`));
      expect(encoding.encode(args, Math.min(n, 3))).toBe(asIoredisWrites('f', Math.min(n, 3), args));
    }
  });
});
