/**
 * Activation of a VPN package (ZTE FIG. 3): immediate, with the month's functional fee charged
 * at once, or from next month; and paying a suspended activation's fee to resume it.
 */
import { MONEY, type BalanceStore } from '../balance/index.js';
import type { ActivationRecord } from './activation-record.js';
import { vpnErrors } from './errors.js';
import { feeRefusal, type FunctionalFee } from './fee.js';
import { checkId, isId, parseInput } from './input.js';
import { activationRequestSchema, monthOf, type Activation, type ActivationRequest } from './model.js';
import type { NumberLock } from './number-lock.js';
import {
  afterPayment,
  afterRefusal,
  endsPreference,
  feeDue,
  formatFeeSequence,
  planActivation,
} from './plan.js';
import type { VpnReader } from './read.js';

export interface ActivationResult {
  activation: Activation;
  /** The fee this call charged (0: none). */
  charged: number;
  /** Whether the stored activation changed. */
  changed: boolean;
}

export class VpnActivations {
  constructor(
    private readonly reader: VpnReader,
    private readonly store: BalanceStore,
    private readonly lock: NumberLock,
    private readonly record: ActivationRecord,
    private readonly fee: FunctionalFee,
  ) {}

  get(msisdn: string): Promise<Activation | undefined> {
    return isId(msisdn) ? this.reader.activation(msisdn) : Promise.resolve(undefined);
  }

  /**
   * Activates a VPN package for a belonging member with a prepaid account (ZTE S301-S305).
   * Immediate: the month's fee is charged now (all or nothing), the package's free credits are
   * reset for the month, and the function is active, paid through this month. Next month:
   * nothing is charged now, the monthly run of next month charges and starts it. Asking again
   * for what is in place charges nothing. Refused with PACKAGE_NOT_FOUND, NOT_BELONGING,
   * UNKNOWN_ACCOUNT, NOT_PREPAID, INSUFFICIENT_FUNDS, CHARGE_REFUSED, BUSY or INVALID, and then
   * nothing is stored.
   */
  async activate(input: ActivationRequest, nowMs: number): Promise<ActivationResult> {
    const request = parseInput(activationRequestSchema, input, 'activation');
    const { msisdn } = request;
    const pkg = isId(request.package) ? await this.reader.getPackage(request.package) : undefined;
    if (!pkg) throw vpnErrors.packageNotFound(request.package);
    const memberships = await this.reader.memberships(msisdn);
    if (!memberships.some((m) => m.identity === 'belongs')) {
      throw vpnErrors.notBelonging(
        msisdn,
        memberships.map((m) => m.group),
      );
    }
    const account = await this.store.getAccount(msisdn);
    if (!account) throw vpnErrors.unknownAccount(msisdn, 'activate');
    if (!account.prepaid) throw vpnErrors.notPrepaid(msisdn, 'activate');
    const month = monthOf(nowMs);
    return this.lock.hold(msisdn, async (token) => {
      const current = await this.reader.activation(msisdn);
      const plan = planActivation(current, msisdn, pkg.id, request.when, month);
      if (plan.kind === 'unchanged') return { activation: current as Activation, charged: 0, changed: false };
      if (plan.kind === 'store') {
        await this.record.write(token, msisdn, plan.activation);
        return { activation: plan.activation, charged: 0, changed: true };
      }
      const outcome = await this.fee.charge(msisdn, pkg, month, nowMs);
      if (!outcome.paid) {
        await this.record.write(token, msisdn, undefined, formatFeeSequence(month, outcome.sequence + 1));
        throw feeRefusal(msisdn, pkg, outcome.error, account.buckets[MONEY]?.available);
      }
      // The old package's free buckets are left as they are: rating only reads the buckets of
      // the activation's package, and as each bucket is reset once per month, switching back
      // within the month finds what was left, never a second allowance.
      await this.fee.resetFreeCredits(msisdn, pkg, month, nowMs);
      await this.record.write(token, msisdn, plan.activation, formatFeeSequence(month, outcome.sequence + 1));
      return { activation: plan.activation, charged: pkg.monthlyFee, changed: true };
    });
  }

  /**
   * Pays this month's fee of a suspended (or not yet charged) activation now and turns its
   * preference back on. Nothing happens when nothing is due. Refused with
   * ACTIVATION_NOT_FOUND, PACKAGE_NOT_FOUND, INSUFFICIENT_FUNDS or CHARGE_REFUSED (it is
   * suspended; the refusal names the suspension when it ended the preference), or BUSY.
   */
  async payAndResume(msisdn: string, nowMs: number): Promise<ActivationResult> {
    checkId('msisdn', msisdn);
    const month = monthOf(nowMs);
    return this.lock.hold(msisdn, async (token) => {
      const current = await this.reader.activation(msisdn);
      if (!current) throw vpnErrors.activationNotFound(msisdn);
      const { due, activation } = feeDue(current, month);
      if (!due) return { activation: current, charged: 0, changed: false };
      const pkg = await this.reader.getPackage(activation.package);
      if (!pkg) throw vpnErrors.packageNotFound(activation.package);
      const outcome = await this.fee.charge(msisdn, pkg, month, nowMs);
      if (!outcome.paid) {
        const suspended = afterRefusal(activation);
        await this.record.write(token, msisdn, suspended, formatFeeSequence(month, outcome.sequence + 1));
        const account = await this.store.getAccount(msisdn);
        const refusal = feeRefusal(msisdn, pkg, outcome.error, account?.buckets[MONEY]?.available);
        if (endsPreference(current, suspended))
          refusal.suspension = { msisdn, package: pkg.id, onSuspension: pkg.onSuspension };
        throw refusal;
      }
      await this.fee.resetFreeCredits(msisdn, pkg, month, nowMs);
      const paid = afterPayment(activation, month);
      await this.record.write(token, msisdn, paid, formatFeeSequence(month, outcome.sequence + 1));
      return { activation: paid, charged: pkg.monthlyFee, changed: true };
    });
  }
}
