/**
 * The one error catalogue: the Diameter answers and the admin API read the same entry for the
 * same cause, and the codes that the balance scripts and the VPN refusals carry are its entries.
 */
import { describe, expect, it } from 'vitest';
import { toAdminError } from '../../../src/admin/errors.js';
import { BalanceCode, errorFromCode } from '../../../src/balance/index.js';
import { refusalOf } from '../../../src/credit-control/refusals.js';
import { ERRORS, type CatalogueEntry } from '../../../src/errors/catalogue.js';
import { ResultCode } from '../../../src/errors/result-codes.js';
import { VPN_ERROR_STATUS } from '../../../src/vpn/errors.js';

const entries = Object.entries(ERRORS) as [string, CatalogueEntry][];
const balanceCodes = Object.values(BalanceCode).filter(
  (v): v is BalanceCode => typeof v === 'number' && v !== BalanceCode.OK,
);

describe('the error catalogue', () => {
  it('gives every entry a title, and only Result-Codes and HTTP statuses that exist', () => {
    const resultCodes: number[] = Object.values(ResultCode);
    for (const [code, entry] of entries) {
      expect(entry.title.length, code).toBeGreaterThan(10);
      if (entry.resultCode !== undefined) expect(resultCodes, code).toContain(entry.resultCode);
      if (entry.status !== undefined) expect(entry.status >= 400 && entry.status < 600, code).toBe(true);
    }
  });

  it('names every code a balance script returns', () => {
    for (const code of balanceCodes) expect(Object.keys(ERRORS)).toContain(BalanceCode[code]);
  });

  it('names every VPN refusal', () => {
    for (const code of Object.keys(VPN_ERROR_STATUS)) expect(Object.keys(ERRORS)).toContain(code);
  });

  it('answers a balance refusal over Diameter with its entry Result-Code, and a fault with none', () => {
    for (const code of balanceCodes) {
      const entry: CatalogueEntry = ERRORS[BalanceCode[code] as keyof typeof ERRORS];
      expect(refusalOf(errorFromCode(code, 'x'))?.resultCode, BalanceCode[code]).toBe(entry.resultCode);
    }
  });

  it('answers a balance refusal over HTTP with its entry status, or as a generic refusal without one', () => {
    for (const code of balanceCodes) {
      if (code === BalanceCode.INVALID_ARGUMENT) continue; // the request's fault: VALIDATION_FAILED or AMOUNT_TOO_LARGE
      const name = BalanceCode[code];
      const entry: CatalogueEntry = ERRORS[name as keyof typeof ERRORS];
      const answer = toAdminError(errorFromCode(code, 'x'));
      expect([answer.code, answer.status], name).toEqual(
        entry.status === undefined ? ['BALANCE_REFUSED', 422] : [name, entry.status],
      );
    }
  });
});
