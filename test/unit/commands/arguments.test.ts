/** The strict argument reader every `ocs` command starts with, and the help format. */
import { describe, expect, it } from 'vitest';
import { asksForHelp, readArgs, type ArgSpec } from '../../../src/commands/arguments.js';
import { UsageError } from '../../../src/commands/command.js';
import { formatHelp, formatUsage } from '../../../src/commands/help.js';

const SPEC = {
  flags: {
    reference: { type: 'string', value: 'REF', meaning: 'the reference (default: one made up)' },
    json: { type: 'boolean', meaning: 'JSON out' },
    msisdn: { type: 'string', multiple: true, value: 'MSISDN', meaning: 'an account' },
  },
  required: ['MSISDN', 'AMOUNT'],
  optional: ['NOTE'],
} as const satisfies ArgSpec;

const read = (...args: string[]) => readArgs('topup', args, SPEC);

describe('readArgs', () => {
  it('reads flags anywhere among the positional arguments', () => {
    const { values, positionals } = read(
      '--json',
      '861',
      '--reference',
      'r-1',
      '500',
      '--msisdn=1',
      '--msisdn',
      '2',
    );
    expect(values).toEqual({ json: true, reference: 'r-1', msisdn: ['1', '2'] });
    expect(positionals).toEqual(['861', '500']);
    expect(read('861', '500', 'why').positionals).toEqual(['861', '500', 'why']);
    expect(read('861', '500', '--reference=-x').values.reference).toBe('-x');
  });

  it('refuses what it does not know, naming the flag or the argument as typed', () => {
    const refusals: [string[], string][] = [
      [['861', '500', '--bogus'], 'ocs topup: unknown option --bogus'],
      [['861', '500', '-x'], 'ocs topup: unknown option -x'],
      [['861', '500', '--reference'], 'ocs topup: --reference needs a value'],
      [['861', '500', '--json=yes'], 'ocs topup: --json takes no value'],
      [
        ['861', '500', '--reference', '-x'],
        'ocs topup: --reference needs a value (one that starts with - is written --reference=-x)',
      ],
      [['861'], 'ocs topup: AMOUNT missing'],
      [[], 'ocs topup: MSISDN missing'],
      [['861', '500', 'why', 'more'], 'ocs topup: unexpected argument more (after MSISDN AMOUNT NOTE)'],
    ];
    for (const [args, message] of refusals) {
      expect(() => read(...args), args.join(' ')).toThrow(new UsageError(message));
    }
    expect(() => readArgs('serve', ['now'], { flags: {} })).toThrow(
      new UsageError('ocs serve: unexpected argument now (it takes none)'),
    );
  });

  it('sees --help and -h anywhere before --, even beside a mistake', () => {
    expect(asksForHelp(['--help'], SPEC)).toBe(true);
    expect(asksForHelp(['861', '--bogus', '-h'], SPEC)).toBe(true);
    expect(asksForHelp(['861', '--', '--help'], SPEC)).toBe(false);
    expect(asksForHelp(['861', '500'], SPEC)).toBe(false);
  });
});

describe('the help of a command', () => {
  const text = {
    synopsis: ['topup MSISDN AMOUNT [--reference REF]'],
    description: 'Credits an account. '.repeat(12),
    arguments: [['MSISDN', "the account's number"]] as const,
    environment: [['REDIS_URL', 'the Redis the servers use (required)']] as const,
  };

  it('has the usage, the paragraph, the flags with their defaults and the environment', () => {
    const help = formatHelp('topup', text, SPEC);
    expect(help.split('\n')[0]).toBe('Usage: ocs topup MSISDN AMOUNT [--reference REF]');
    expect(help).toContain('\n  --reference REF  the reference (default: one made up)\n');
    expect(help).toContain('\n  -h, --help       print this help and do nothing else\n');
    expect(help).toMatch(/\nEnvironment:\n {2}REDIS_URL +the Redis the servers use \(required\)$/);
    expect(help.split('\n').every((line) => line.length <= 100)).toBe(true);
  });

  it('prints the usage and the flags after a mistake, not the paragraph or the environment', () => {
    const usage = formatUsage('topup', text, SPEC);
    expect(usage).toContain('Arguments:\n  MSISDN  ');
    expect(usage).toContain('Options:\n');
    expect(usage).not.toContain('Credits an account');
    expect(usage).not.toContain('REDIS_URL');
  });
});
