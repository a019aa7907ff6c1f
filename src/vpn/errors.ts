/**
 * The one catalogue of VPN refusals: a stable code, the HTTP status an API answers with (404 an
 * unknown group, package, member or activation; 409 a conflict with what is stored; 422 a rule
 * of the ZTE patent or DESIGN §3 that the request breaks), and a message that says why.
 */

export const VPN_ERROR_STATUS = {
  /** The request does not have the shape of a group, member, package or activation. */
  INVALID: 422,
  GROUP_NOT_FOUND: 404,
  PACKAGE_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  ACTIVATION_NOT_FOUND: 404,
  /** ZTE S206: a short number has exactly the group's extension length. */
  SHORT_NUMBER_LENGTH: 422,
  /** ZTE S206: a short number is unique in its group. */
  SHORT_NUMBER_TAKEN: 409,
  ALREADY_MEMBER: 409,
  /** ZTE S201: the group's number of users is limited. */
  GROUP_FULL: 409,
  /** ZTE S203/S204: a number belongs to one group only (it may join any number). */
  BELONGS_ELSEWHERE: 409,
  /** A belonging member, or an activation, needs an account of this OCS. */
  UNKNOWN_ACCOUNT: 422,
  /** ZTE S208: only a prepaid (PPS) account may belong, and so activate. */
  NOT_PREPAID: 422,
  /** ZTE S302: only a belonging member may activate a VPN package. */
  NOT_BELONGING: 422,
  /** The functional fee cannot be paid: nothing was charged or stored. */
  INSUFFICIENT_FUNDS: 422,
  /** The balance store refused the fee for another reason (its message says which). */
  CHARGE_REFUSED: 422,
  EXTENSION_LENGTH_LOCKED: 409,
  MAX_MEMBERS_BELOW_COUNT: 409,
  /** Another request is charging or changing the same number's VPN function. */
  BUSY: 409,
} as const;

export type VpnErrorCode = keyof typeof VPN_ERROR_STATUS;

export class VpnError extends Error {
  override name = 'VpnError';
  readonly status: (typeof VPN_ERROR_STATUS)[VpnErrorCode];

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
