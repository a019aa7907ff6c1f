import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AccountNotFoundError,
  BalanceCode,
  BalanceError,
  CreditLimitReachedError,
  errorFromCode,
  InvalidArgumentError,
} from '../../../src/balance/errors.js';

const codesLua = readFileSync(
  new URL('../../../src/balance/lua/includes/codes.lua', import.meta.url),
  'utf8',
);

describe('outcome codes', () => {
  it('mirror lua/includes/codes.lua one for one', () => {
    const lua = Object.fromEntries(
      [...codesLua.matchAll(/^local ([A-Z_]+) = (-?\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const ts = Object.fromEntries(Object.entries(BalanceCode).filter(([k]) => Number.isNaN(Number(k))));
    expect(lua).toEqual(ts);
  });

  it('map every refusal to its own error class carrying the code', () => {
    const refusals = Object.values(BalanceCode).filter((v): v is number => typeof v === 'number' && v < 0);
    const classes = new Set<unknown>();
    for (const code of refusals) {
      const err = errorFromCode(code, 'detail');
      expect(err).toBeInstanceOf(BalanceError);
      expect(err.code).toBe(code);
      expect(err.name).toBe(err.constructor.name);
      expect(err.message).toMatch(/: detail$/);
      classes.add(err.constructor);
    }
    expect(classes.size).toBe(refusals.length);
    expect(errorFromCode(BalanceCode.ACCOUNT_NOT_FOUND)).toBeInstanceOf(AccountNotFoundError);
    expect(errorFromCode(BalanceCode.CREDIT_LIMIT_REACHED)).toBeInstanceOf(CreditLimitReachedError);
    expect(new InvalidArgumentError('units').message).toBe('invalid argument: units');
  });

  it('treat an unknown code as a bug', () => {
    expect(() => errorFromCode(-99)).toThrow(/unknown code -99/);
    expect(() => errorFromCode(0)).toThrow(/unknown code 0/);
  });
});
