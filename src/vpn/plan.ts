/**
 * The decisions about a number's VPN function (ZTE FIG. 3 and the monthly run of DESIGN §3),
 * as pure functions of the stored activation and the month, so that the registry only reads,
 * charges and records, and the rules can be tested without Redis.
 */
import type { Activation } from './model.js';
import { nextMonth } from './model.js';

/**
 * The operation id of a functional-fee charge. The first charge of a month is
 * `vpn-fee:<msisdn>:<YYYY-MM>`, so a request repeated after a crash between the charge and its
 * record replays the charge instead of charging again. The balance store also remembers a
 * refusal under its operation id, so every charge whose outcome has been recorded moves the
 * month's sequence on, and the next attempt (after a top-up, or for another package) gets a
 * fresh id: `vpn-fee:<msisdn>:<YYYY-MM>:<n>`.
 */
export function feeOpId(msisdn: string, month: string, sequence: number): string {
  return sequence === 0 ? `vpn-fee:${msisdn}:${month}` : `vpn-fee:${msisdn}:${month}:${sequence}`;
}

/** The month's sequence from its stored form `<YYYY-MM>:<n>` (another month's counts as 0). */
export function parseFeeSequence(stored: string | null | undefined, month: string): number {
  if (!stored) return 0;
  const colon = stored.lastIndexOf(':');
  if (stored.slice(0, colon) !== month) return 0;
  const n = Number(stored.slice(colon + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function formatFeeSequence(month: string, sequence: number): string {
  return `${month}:${sequence}`;
}

/** What an activation request leads to. */
export type ActivationPlan =
  /** Nothing to do: the request is already in place. */
  | { kind: 'unchanged' }
  /** Store this, nothing is charged. */
  | { kind: 'store'; activation: Activation }
  /** Charge the package's fee for the month; once paid, store this. */
  | { kind: 'charge'; activation: Activation };

/**
 * ZTE S303-S305: an immediate activation pays the month's fee now and is active from this
 * month; a next-month activation charges nothing now and starts with the monthly run of next
 * month. Asking for what is already in place changes nothing (and charges nothing), so a
 * repeated request is safe.
 *
 * Re-activating with another package replaces the current one. Immediately: the new package's
 * fee is charged for this month even when the old one's was paid (that one is not refunded).
 * For next month: an active and paid package keeps its preference to the end of the month and
 * the switch waits in `next`; otherwise the new package replaces it now, pending.
 */
export function planActivation(
  current: Activation | undefined,
  msisdn: string,
  packageId: string,
  when: 'immediate' | 'next-month',
  month: string,
): ActivationPlan {
  const same = current?.package === packageId ? current : undefined;
  if (when === 'immediate') {
    if (same && same.paidThrough >= month) {
      if (same.status === 'active' && !same.next) return { kind: 'unchanged' };
      const activeFrom = same.activeFrom < month ? same.activeFrom : month;
      return { kind: 'store', activation: { ...without(same), status: 'active', activeFrom } };
    }
    const activeFrom = same && same.activeFrom < month ? same.activeFrom : month;
    return {
      kind: 'charge',
      activation: { msisdn, package: packageId, status: 'active', activeFrom, paidThrough: month },
    };
  }
  const from = nextMonth(month);
  if (same) {
    if (same.status === 'active') {
      return same.next ? { kind: 'store', activation: without(same) } : { kind: 'unchanged' };
    }
    if (same.status === 'pending') return { kind: 'unchanged' };
    return { kind: 'store', activation: { ...same, status: 'pending', activeFrom: from } };
  }
  if (current && current.status === 'active' && current.paidThrough >= month) {
    if (current.next?.package === packageId && current.next.from === from) return { kind: 'unchanged' };
    return { kind: 'store', activation: { ...current, next: { package: packageId, from } } };
  }
  return {
    kind: 'store',
    activation: { msisdn, package: packageId, status: 'pending', activeFrom: from, paidThrough: '' },
  };
}

/**
 * The activation as it stands in `month`: a `next` package due by then has taken over (pending,
 * nothing paid for it yet), and whether the month's fee is due: not when it is paid already
 * (so a second run of one month changes nothing), nor for a pending activation that starts
 * later.
 */
export function feeDue(activation: Activation, month: string): { due: boolean; activation: Activation } {
  let a = activation;
  if (a.next && a.next.from <= month) {
    a = {
      msisdn: a.msisdn,
      package: a.next.package,
      status: 'pending',
      activeFrom: a.next.from,
      paidThrough: '',
    };
  }
  if (a.paidThrough >= month) return { due: false, activation: a };
  if (a.status === 'pending' && a.activeFrom > month) return { due: false, activation: a };
  return { due: true, activation: a };
}

/** After the month's fee is paid: preference on, paid through the month. */
export function afterPayment(activation: Activation, month: string): Activation {
  return { ...activation, status: 'active', paidThrough: month };
}

/** After the month's fee could not be paid: preference off until it is. */
export function afterRefusal(activation: Activation): Activation {
  return { ...activation, status: 'suspended' };
}

/**
 * Whether storing `after` in place of `before` takes the preference away: rating gives it to an
 * active activation only (DESIGN §3), so the sessions it rated are to be told. A suspended one
 * suspended again, or a pending one that never started, had none to take.
 */
export function endsPreference(before: Activation, after: Activation): boolean {
  return before.status === 'active' && after.status !== 'active';
}

function without(a: Activation): Activation {
  const { next: _next, ...rest } = a;
  return rest;
}
