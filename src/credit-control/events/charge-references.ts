import { ChargingRefusal } from '../refusals.js';
import type { ChargingSettings } from '../settings.js';
import type { CreditControlRequest } from '../types.js';

/**
 * Refunds that name their charge (TS 32.299 §7.2.171 Refund-Information): the answer to a
 * direct debit carries a reference to what it took, and a REFUND_ACCOUNT that sends it back
 * (in its MSCC, §7.1.9, or at command level without one) may credit no more than that.
 */

/** A refund creates money: only the peers the charging settings name may ask for one. */
export function mayRefund(request: CreditControlRequest, refunds: ChargingSettings['refunds']): boolean {
  return request.peer !== undefined && refunds.peers.includes(request.peer);
}

/**
 * How long a direct debit of this request is kept for refunds that name it: only for a peer
 * that may refund, and only when the settings keep charges at all.
 */
export function chargeKeptFor(
  request: CreditControlRequest,
  refunds: ChargingSettings['refunds'],
): number | undefined {
  if (refunds.chargeTtlSeconds === undefined || !mayRefund(request, refunds)) return undefined;
  return refunds.chargeTtlSeconds;
}

/** The charge a refund names, if any; one refund gives back against one charge. */
export function chargeNamed(
  request: CreditControlRequest,
): { charge?: string } | { refusal: ChargingRefusal } {
  const named = new Set<string>();
  if (request.refundInformation !== undefined) named.add(request.refundInformation);
  for (const s of request.services) if (s.refundInformation !== undefined) named.add(s.refundInformation);
  if (named.size > 1)
    return {
      refusal: new ChargingRefusal(
        'CHARGE_UNKNOWN',
        `a refund names one charge; this one names ${named.size}`,
      ),
    };
  const [charge] = named;
  return charge === undefined ? {} : { charge };
}
