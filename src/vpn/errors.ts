/**
 * The VPN refusals (ZTE US20120057507 rules a request breaks, or what it names does not
 * exist), each an entry of the error catalogue (src/errors/catalogue.ts) with its HTTP status:
 * 404 an unknown group, package, member or activation, 409 a conflict with what is stored,
 * 422 a rule the request breaks. `vpnErrors` builds every one with a message that says why.
 */
import { ERRORS } from '../errors/catalogue.js';
import type { Suspension } from './model.js';

const VPN_ERROR_CODES = [
  'INVALID',
  'GROUP_NOT_FOUND',
  'PACKAGE_NOT_FOUND',
  'MEMBER_NOT_FOUND',
  'ACTIVATION_NOT_FOUND',
  'SHORT_NUMBER_LENGTH',
  'SHORT_NUMBER_TAKEN',
  'ALREADY_MEMBER',
  'GROUP_FULL',
  'BELONGS_ELSEWHERE',
  'UNKNOWN_ACCOUNT',
  'NOT_PREPAID',
  'NOT_BELONGING',
  'INSUFFICIENT_FUNDS',
  'CHARGE_REFUSED',
  'EXTENSION_LENGTH_LOCKED',
  'MAX_MEMBERS_BELOW_COUNT',
  'BUSY',
] as const;

export type VpnErrorCode = (typeof VPN_ERROR_CODES)[number];

/** The HTTP status of each VPN refusal, as the catalogue gives it. */
export const VPN_ERROR_STATUS = Object.fromEntries(
  VPN_ERROR_CODES.map((code) => [code, ERRORS[code].status]),
) as {
  [K in VpnErrorCode]: (typeof ERRORS)[K]['status'];
};

export class VpnError extends Error {
  override name = 'VpnError';
  readonly status: (typeof VPN_ERROR_STATUS)[VpnErrorCode];
  /**
   * Set when the refused charge suspended a package that gave the preference: the refusal is
   * the answer, and the member's open sessions are still to be told (DESIGN §3).
   */
  suspension: Suspension | undefined = undefined;

  constructor(
    readonly code: VpnErrorCode,
    /** Why, without the code. */
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
    this.status = VPN_ERROR_STATUS[code];
  }
}

export function isVpnError(err: unknown, code?: VpnErrorCode): err is VpnError {
  return err instanceof VpnError && (code === undefined || err.code === code);
}

const digits = (n: number) => `${n} digit${n === 1 ? '' : 's'}`;

/** Every refusal, built in one place so that codes and wording stay consistent. */
export const vpnErrors = {
  invalid: (what: string, problems: readonly string[]) =>
    new VpnError('INVALID', `${what}: ${problems.join('; ')}`),
  groupNotFound: (group: string) => new VpnError('GROUP_NOT_FOUND', `group ${group} does not exist`),
  packageNotFound: (pkg: string) => new VpnError('PACKAGE_NOT_FOUND', `package ${pkg} does not exist`),
  memberNotFound: (group: string, msisdn: string) =>
    new VpnError('MEMBER_NOT_FOUND', `${msisdn} is not in group ${group}`),
  activationNotFound: (msisdn: string) =>
    new VpnError('ACTIVATION_NOT_FOUND', `${msisdn} has no VPN package activation`),
  shortNumberLength: (group: string, shortNumber: string, extensionLength: number) =>
    new VpnError(
      'SHORT_NUMBER_LENGTH',
      `short number ${shortNumber} has ${digits(shortNumber.length)}, group ${group} needs ${extensionLength}`,
    ),
  shortNumberTaken: (group: string, shortNumber: string, holder: string) =>
    new VpnError(
      'SHORT_NUMBER_TAKEN',
      `short number ${shortNumber} of group ${group} is already ${holder}'s`,
    ),
  alreadyMember: (group: string, msisdn: string, shortNumber: string, identity: string) =>
    new VpnError(
      'ALREADY_MEMBER',
      `${msisdn} is already in group ${group} (short number ${shortNumber}, ${identity}); unregister it first to change it`,
    ),
  groupFull: (group: string, maxMembers: number) =>
    new VpnError('GROUP_FULL', `group ${group} already has its maximum of ${maxMembers} members`),
  belongsElsewhere: (msisdn: string, other: string) =>
    new VpnError(
      'BELONGS_ELSEWHERE',
      `${msisdn} already belongs to group ${other}: a number belongs to one group only (it may join others)`,
    ),
  unknownAccount: (msisdn: string, to: 'belong' | 'activate') =>
    new VpnError(
      'UNKNOWN_ACCOUNT',
      to === 'belong'
        ? `${msisdn} has no account here: only a prepaid account of this OCS may belong to a group (any number may join)`
        : `${msisdn} has no account here: only a prepaid account may activate a VPN package`,
    ),
  notPrepaid: (msisdn: string, to: 'belong' | 'activate') =>
    new VpnError(
      'NOT_PREPAID',
      to === 'belong'
        ? `${msisdn} is not a prepaid account: only a prepaid account may belong to a group (it may join)`
        : `${msisdn} is not a prepaid account: only a prepaid account may activate a VPN package`,
    ),
  notBelonging: (msisdn: string, joins: readonly string[]) =>
    new VpnError(
      'NOT_BELONGING',
      `${msisdn} belongs to no group${joins.length ? ` (it joins ${joins.join(', ')})` : ''}: only a belonging member may activate a VPN package`,
    ),
  insufficientFunds: (msisdn: string, pkg: string, fee: number, available: number | undefined) =>
    new VpnError(
      'INSUFFICIENT_FUNDS',
      `${msisdn} cannot pay the monthly fee of ${fee} of package ${pkg}` +
        (available === undefined ? '' : ` (money available ${available})`),
    ),
  chargeRefused: (msisdn: string, pkg: string, why: string) =>
    new VpnError(
      'CHARGE_REFUSED',
      `the monthly fee of package ${pkg} could not be charged to ${msisdn}: ${why}`,
    ),
  extensionLengthLocked: (group: string, members: number, from: number, to: number) =>
    new VpnError(
      'EXTENSION_LENGTH_LOCKED',
      `group ${group} has ${members} members with ${from}-digit short numbers: its extension length cannot change to ${to}`,
    ),
  maxMembersBelowCount: (group: string, members: number, maxMembers: number) =>
    new VpnError(
      'MAX_MEMBERS_BELOW_COUNT',
      `group ${group} has ${members} members: maxMembers cannot be ${maxMembers}`,
    ),
  busy: (msisdn: string) =>
    new VpnError('BUSY', `the VPN function of ${msisdn} is being changed by another request; try again`),
};
