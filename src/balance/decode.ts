/**
 * Turns script replies into typed results. A reply is `{code, detail}` for a refusal (a typed
 * error is thrown) or `{0, {name, value, ...}}` for a success.
 */
import { BalanceCode, errorFromCode } from './errors.js';
import type {
  AccountDenial,
  Amounts,
  ApplyResult,
  AuthResult,
  DeductResult,
  DirectDebitResult,
  CreditResult,
  RefundChargeResult,
  ReleaseResult,
  ResetFreeCreditsResult,
  SetBucketResult,
  SettleResult,
  TierHold,
} from './types.js';

export class Fields {
  private readonly values = new Map<string, unknown>();

  constructor(list: unknown[]) {
    for (let i = 0; i + 1 < list.length; i += 2) this.values.set(String(list[i]), list[i + 1]);
  }

  private get(name: string): unknown {
    if (!this.values.has(name)) throw new Error(`balance script reply lacks '${name}'`);
    return this.values.get(name);
  }

  int(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw new Error(`balance script reply: '${name}' is not an integer`);
    }
    return v;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  bool(name: string): boolean {
    return this.int(name) === 1;
  }

  str(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') throw new Error(`balance script reply: '${name}' is not a string`);
    return v;
  }

  list(name: string): unknown[] {
    const v = this.get(name);
    if (!Array.isArray(v)) throw new Error(`balance script reply: '${name}' is not a list`);
    return v;
  }

  /** {bucket, amount, ...} -> { bucket: amount }. */
  amounts(name: string): Amounts {
    return pairsToAmounts(this.list(name));
  }

  /** {bucket, units, amount, ...} -> TierHold[]. */
  holds(name: string): TierHold[] {
    const list = this.list(name);
    const out: TierHold[] = [];
    for (let i = 0; i + 2 < list.length; i += 3) {
      out.push({ bucket: String(list[i]), units: Number(list[i + 1]), amount: Number(list[i + 2]) });
    }
    return out;
  }
}

function pairsToAmounts(list: unknown[]): Amounts {
  const out: Amounts = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = Number(list[i + 1]);
  return out;
}

/** The fields of a successful reply; throws the typed error of a refusal. */
export function unwrap(reply: unknown): Fields {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') {
    throw new Error(`balance script returned an unexpected reply: ${JSON.stringify(reply)}`);
  }
  const [code, body] = reply as [number, unknown];
  if (code !== BalanceCode.OK) throw errorFromCode(code, typeof body === 'string' ? body : '');
  if (!Array.isArray(body)) throw new Error('balance script reply: success without fields');
  return new Fields(body);
}

export function authResult(f: Fields): AuthResult {
  return {
    status: 'active',
    prepaid: f.bool('prepaid'),
    tariff: f.str('tariff'),
    currency: f.str('currency'),
    available: f.int('available'),
    reserved: f.int('reserved'),
    validUntil: f.int('validUntil'),
    minThreshold: f.int('minThreshold'),
    ...bundlesOf(f.list('bundles')),
  };
}

function bundlesOf(flat: unknown[]): { bundles?: Record<string, string> } {
  if (flat.length === 0) return {};
  const bundles: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) bundles[String(flat[i])] = String(flat[i + 1]);
  return { bundles };
}

export function applyResult(f: Fields): ApplyResult {
  return {
    granted: f.int('granted'),
    final: f.bool('final'),
    expiresAtMs: f.int('expiresAtMs'),
    tiers: f.holds('tiers'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

export function deductResult(f: Fields): DeductResult {
  return {
    charged: f.int('charged'),
    uncharged: f.int('uncharged'),
    amounts: f.amounts('amounts'),
    remaining: f.int('remaining'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

export function settleResult(f: Fields): SettleResult {
  const result: SettleResult = {
    settled: f.bool('settled'),
    charged: f.int('charged'),
    uncharged: f.int('uncharged'),
    amounts: f.amounts('amounts'),
    returned: f.amounts('returned'),
    releasedExpiresAtMs: f.int('releasedExpiresAtMs'),
    granted: f.int('granted'),
    final: f.bool('final'),
    creditLimitReached: f.bool('creditLimitReached'),
    expiresAtMs: f.int('expiresAtMs'),
    tiers: f.holds('tiers'),
    moneyAvailable: f.int('moneyAvailable'),
  };
  // Absent from a result remembered before the account was checked again on every settle.
  const denied = f.has('denied') ? accountDenial(f.int('denied')) : undefined;
  if (denied) result.accountDenied = denied;
  return result;
}

function accountDenial(code: number): AccountDenial | undefined {
  switch (code) {
    case BalanceCode.ACCOUNT_BLOCKED:
      return 'ACCOUNT_BLOCKED';
    case BalanceCode.ACCOUNT_LOST:
      return 'ACCOUNT_LOST';
    case BalanceCode.ACCOUNT_EXPIRED:
      return 'ACCOUNT_EXPIRED';
    default:
      return undefined;
  }
}

export function directDebitResult(f: Fields): DirectDebitResult {
  const result: DirectDebitResult = {
    charged: f.int('charged'),
    uncharged: f.int('uncharged'),
    amounts: f.amounts('amounts'),
    moneyAvailable: f.int('moneyAvailable'),
  };
  if (f.has('charge')) result.charge = f.str('charge');
  return result;
}

/** `{reservation id, {bucket, amount, ...}, ...}` of expire-reservations. */
export function expiredList(list: unknown[]): { id: string; returned: Amounts }[] {
  const out: { id: string; returned: Amounts }[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const returned = list[i + 1];
    out.push({ id: String(list[i]), returned: pairsToAmounts(Array.isArray(returned) ? returned : []) });
  }
  return out;
}

export function releaseResult(f: Fields): ReleaseResult {
  return {
    returned: f.amounts('returned'),
    expiresAtMs: f.int('expiresAtMs'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

export function creditResult(f: Fields): CreditResult {
  return { bucket: f.str('bucket'), available: f.int('available') };
}

export function refundChargeResult(f: Fields): RefundChargeResult {
  return { ...creditResult(f), refundable: f.int('refundable') };
}

export function setBucketResult(f: Fields): SetBucketResult {
  return { bucket: f.str('bucket'), before: f.int('before'), available: f.int('available') };
}

export function resetFreeCreditsResult(f: Fields): ResetFreeCreditsResult {
  return { reset: f.list('reset').map(String), skipped: f.list('skipped').map(String) };
}

/** Each reservation expired, and the stored expiry of each id asked about that is still there (else 0). */
export function expireResult(f: Fields): {
  expired: { id: string; returned: Amounts }[];
  live: number[];
} {
  return { expired: expiredList(f.list('expired')), live: f.list('live').map(Number) };
}
