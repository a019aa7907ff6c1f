/**
 * The functional fee of a VPN package (DESIGN §3): charged to the money bucket through
 * the balance store, once per month, and the package's free credits reset when it is paid.
 */
import type { Cluster, Redis } from 'ioredis';
import {
  AccountNotFoundError,
  BalanceError,
  InsufficientFundsError,
  MONEY,
  type BalanceStore,
} from '../balance/index.js';
import { vpnErrors, type VpnError } from './errors.js';
import type { VpnKeys } from './keys.js';
import { freeAllowances, type Package } from './model.js';
import { feeOpId, parseFeeSequence } from './plan.js';

/** A charge's result, with the fee sequence it used (the next one is recorded after it). */
export type FeeOutcome =
  { paid: true; sequence: number } | { paid: false; sequence: number; error: BalanceError };

export class FunctionalFee {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly store: BalanceStore,
  ) {}

  /**
   * Charges a month's fee of a package with the month's current operation id (see feeOpId). A
   * refusal by the balance store is returned, not thrown: the caller records it.
   */
  async charge(msisdn: string, pkg: Package, month: string, nowMs: number): Promise<FeeOutcome> {
    const sequence = parseFeeSequence(await this.redis.hget(this.keys.feeSequence(), msisdn), month);
    if (pkg.monthlyFee === 0) return { paid: true, sequence };
    try {
      await this.store.directDebit({
        opId: feeOpId(msisdn, month, sequence),
        msisdn,
        tiers: [{ bucket: MONEY, unitSize: 1, pricePerUnit: pkg.monthlyFee }],
        units: 1,
        nowMs,
      });
      return { paid: true, sequence };
    } catch (err) {
      if (err instanceof BalanceError) return { paid: false, sequence, error: err };
      throw err;
    }
  }

  /** Gives the number the package's free allowances for the month (once per month each). */
  async resetFreeCredits(msisdn: string, pkg: Package, month: string, nowMs: number): Promise<void> {
    const buckets = freeAllowances(pkg);
    if (Object.keys(buckets).length === 0) return;
    await this.store.resetFreeCredits({ msisdn, buckets, period: month, nowMs });
  }
}

/** The VPN refusal for a fee the balance store would not charge. */
export function feeRefusal(
  msisdn: string,
  pkg: Package,
  error: BalanceError,
  available: number | undefined,
): VpnError {
  if (error instanceof InsufficientFundsError) {
    return vpnErrors.insufficientFunds(msisdn, pkg.id, pkg.monthlyFee, available);
  }
  if (error instanceof AccountNotFoundError) return vpnErrors.unknownAccount(msisdn, 'activate');
  return vpnErrors.chargeRefused(msisdn, pkg.id, error.message);
}
