import type { Membership } from '../vpn/model.js';
import { normalise, type DialledNumber, type NumberingPlan } from './numbering.js';
import { VpnAuthenticationError } from './types.js';

/**
 * The served party's groups in which `dialled` may be a short number: a number that is not
 * international and as long as the party's own short number in the group. In order of the
 * memberships, the order in which they are tried.
 */
export function shortNumberGroups(
  dialled: DialledNumber | undefined,
  memberships: readonly Membership[],
): string[] {
  if (!dialled || dialled.international) return [];
  return memberships.filter((m) => m.shortNumber.length === dialled.digits.length).map((m) => m.group);
}

export interface OtherPartyInput {
  /** The charged party. */
  served: string;
  /** Originating: `dialled` is the called party; terminating: the calling party. */
  leg: 'originating' | 'terminating';
  dialled: DialledNumber;
  servedMemberships: readonly Membership[];
  /** What each group of shortNumberGroups() holds under the dialled digits. */
  resolved: ReadonlyMap<string, string | undefined>;
  numbering: NumberingPlan;
}

/**
 * The other party's international number, a short number resolved in the served party's
 * groups (the first group, in membership order, that has it). On the terminating leg that is
 * the caller's own short number, presented short. A short number that none of the caller's
 * groups has fails VPN authentication (DESIGN §2); a called party is never refused for the
 * number it is called from. A number as long as a short number from a party in no group is an
 * ordinary number: emergency and service numbers must not be refused.
 */
export function resolveOtherParty(input: OtherPartyInput): string {
  const { dialled } = input;
  const groups = shortNumberGroups(dialled, input.servedMemberships);
  for (const group of groups) {
    const long = input.resolved.get(group);
    if (long) return long;
  }
  if (groups.length > 0 && input.leg === 'originating') {
    throw new VpnAuthenticationError(`short number ${dialled.digits} is in no VPN group of ${input.served}`);
  }
  return normalise(dialled, input.numbering);
}
