/**
 * The monthly run of functional fees (DESIGN §3): every activation that owes the month's fee
 * pays it and keeps its preference, or is suspended until it can pay.
 */
import type { Cluster, Redis } from 'ioredis';
import { BalanceError, InsufficientFundsError } from '../balance/index.js';
import type { ActivationRecord } from './activation-record.js';
import { vpnErrors, VpnError } from './errors.js';
import type { FunctionalFee } from './fee.js';
import type { VpnKeys } from './keys.js';
import type { Package, Suspension } from './model.js';
import type { NumberLock } from './number-lock.js';
import { afterPayment, afterRefusal, endsPreference, feeDue, formatFeeSequence } from './plan.js';
import { decodeActivation, type VpnReader } from './read.js';

export interface MonthlyRunFailure {
  msisdn: string;
  /** A VPN error code, a balance error's name, or ERROR. */
  code: string;
  message: string;
}

export interface MonthlyRunSummary {
  month: string;
  /** Activations whose fee for the month was paid by this run. */
  charged: number;
  /** Activations whose fee could not be paid: preference off until it is. */
  suspended: number;
  /**
   * The members among them whose preference this run ended (active until now), with what their
   * package says their open sessions get; those suspended already are not named again.
   */
  suspensions: Suspension[];
  /** Activations with nothing to pay for the month (paid already, or starting later). */
  skipped: number;
  /** Activations this run could not decide; a later run tries again. */
  failed: MonthlyRunFailure[];
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class MonthlyRun {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly reader: VpnReader,
    private readonly lock: NumberLock,
    private readonly record: ActivationRecord,
    private readonly fee: FunctionalFee,
  ) {}

  /**
   * Charges the month's functional fee of every activation that owes it: pending ones that
   * start by then, active ones and suspended ones. Paid: active, paid through the month, free
   * credits reset for it. Not payable: suspended, until a later run or payAndResume can charge
   * it; the members whose preference that ends are named, so that the caller can tell their
   * open sessions (DESIGN §3). An activation paid through the month already is skipped, so running twice for a month
   * changes nothing. Activations are read in batches (HSCAN), so their number is not limited by
   * memory; a batch is processed concurrently.
   */
  async run(month: string, nowMs: number, options: { batchSize?: number } = {}): Promise<MonthlyRunSummary> {
    if (!MONTH.test(month)) throw vpnErrors.invalid('month', [`'YYYY-MM', got ${JSON.stringify(month)}`]);
    const batchSize = options.batchSize ?? 100;
    const packages = new Map((await this.reader.listPackages()).map((p) => [p.id, p]));
    const summary: MonthlyRunSummary = {
      month,
      charged: 0,
      suspended: 0,
      suspensions: [],
      skipped: 0,
      failed: [],
    };
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.activations(), cursor, 'COUNT', batchSize);
      cursor = next;
      const batch: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) batch.push([flat[i] as string, flat[i + 1] as string]);
      await Promise.all(
        batch.map(async ([msisdn, raw]) => {
          try {
            // Most activations owe nothing on a second run: decide that without the lock.
            if (!feeDue(decodeActivation(raw), month).due) {
              summary.skipped++;
              return;
            }
            const { outcome, suspension } = await this.chargeMonth(msisdn, month, nowMs, packages);
            summary[outcome]++;
            if (suspension) summary.suspensions.push(suspension);
          } catch (err) {
            summary.failed.push({
              msisdn,
              code: err instanceof VpnError ? err.code : err instanceof BalanceError ? err.name : 'ERROR',
              message: err instanceof Error ? err.message : String(err),
            });
          }
        }),
      );
    } while (cursor !== '0');
    return summary;
  }

  /** One activation of the monthly run, under the number's lock. */
  private chargeMonth(
    msisdn: string,
    month: string,
    nowMs: number,
    packages: ReadonlyMap<string, Package>,
  ): Promise<{ outcome: 'charged' | 'suspended' | 'skipped'; suspension?: Suspension }> {
    return this.lock.hold(msisdn, async (token) => {
      const current = await this.reader.activation(msisdn);
      if (!current) return { outcome: 'skipped' };
      const { due, activation } = feeDue(current, month);
      if (!due) return { outcome: 'skipped' };
      const pkg = packages.get(activation.package) ?? (await this.reader.getPackage(activation.package));
      if (!pkg) throw vpnErrors.packageNotFound(activation.package);
      const outcome = await this.fee.charge(msisdn, pkg, month, nowMs);
      const sequence = formatFeeSequence(month, outcome.sequence + 1);
      if (outcome.paid) {
        await this.fee.resetFreeCredits(msisdn, pkg, month, nowMs);
        await this.record.write(token, msisdn, afterPayment(activation, month), sequence);
        return { outcome: 'charged' };
      }
      if (outcome.error instanceof InsufficientFundsError) {
        const suspended = afterRefusal(activation);
        await this.record.write(token, msisdn, suspended, sequence);
        if (!endsPreference(current, suspended)) return { outcome: 'suspended' };
        return {
          outcome: 'suspended',
          suspension: { msisdn, package: pkg.id, onSuspension: pkg.onSuspension },
        };
      }
      await this.record.write(token, msisdn, undefined, sequence);
      throw outcome.error;
    });
  }
}
