/**
 * Outcome codes of the VPN scripts (lua/*.lua): a code means one thing in every script. The
 * scripts take them from lua/includes/codes.lua and list those they answer with in their
 * headers; a unit test checks both against this enum. `vpnErrorFromCode` is the one place a
 * code becomes a VpnError.
 */
import { vpnErrors, type VpnError } from './errors.js';

export enum VpnScriptCode {
  OK = 0,
  /** register, asked to treat it so: exactly this membership is stored already, nothing changed. */
  UNCHANGED = 1,
  GROUP_NOT_FOUND = -1,
  SHORT_NUMBER_LENGTH = -2,
  ALREADY_MEMBER = -3,
  SHORT_NUMBER_TAKEN = -4,
  GROUP_FULL = -5,
  BELONGS_ELSEWHERE = -6,
  MEMBER_NOT_FOUND = -7,
  /** The number's lock is held: a fee of the number is being charged. */
  BUSY = -8,
  /** The caller's lock expired or another request took it: nothing was written. */
  LOCK_LOST = -9,
  EXTENSION_LENGTH_LOCKED = -10,
  MAX_MEMBERS_BELOW_COUNT = -11,
}

type Refusal = Exclude<VpnScriptCode, VpnScriptCode.OK | VpnScriptCode.UNCHANGED>;

/** What the caller asked for, which a refusal names next to the details the script answered. */
export interface VpnScriptCall {
  group?: string;
  msisdn?: string;
  shortNumber?: string;
  /** A group's extension length and maxMembers as asked (put-group). */
  extensionLength?: number;
  maxMembers?: number;
}

function asked<K extends keyof VpnScriptCall>(call: VpnScriptCall, field: K): NonNullable<VpnScriptCall[K]> {
  const value = call[field];
  if (value === undefined) throw new Error(`VPN script refusal needs the call's ${field}`);
  return value as NonNullable<VpnScriptCall[K]>;
}

const byCode: Record<Refusal, (details: readonly unknown[], call: VpnScriptCall) => VpnError> = {
  [VpnScriptCode.GROUP_NOT_FOUND]: (_, call) => vpnErrors.groupNotFound(asked(call, 'group')),
  [VpnScriptCode.SHORT_NUMBER_LENGTH]: ([extensionLength], call) =>
    vpnErrors.shortNumberLength(asked(call, 'group'), asked(call, 'shortNumber'), Number(extensionLength)),
  [VpnScriptCode.ALREADY_MEMBER]: ([entry], call) => {
    const stored = JSON.parse(String(entry)) as { shortNumber: string; identity: string };
    return vpnErrors.alreadyMember(
      asked(call, 'group'),
      asked(call, 'msisdn'),
      stored.shortNumber,
      stored.identity,
    );
  },
  [VpnScriptCode.SHORT_NUMBER_TAKEN]: ([holder], call) =>
    vpnErrors.shortNumberTaken(asked(call, 'group'), asked(call, 'shortNumber'), String(holder)),
  [VpnScriptCode.GROUP_FULL]: ([maxMembers], call) =>
    vpnErrors.groupFull(asked(call, 'group'), Number(maxMembers)),
  [VpnScriptCode.BELONGS_ELSEWHERE]: ([other], call) =>
    vpnErrors.belongsElsewhere(asked(call, 'msisdn'), String(other)),
  [VpnScriptCode.MEMBER_NOT_FOUND]: (_, call) =>
    vpnErrors.memberNotFound(asked(call, 'group'), asked(call, 'msisdn')),
  [VpnScriptCode.BUSY]: (_, call) => vpnErrors.busy(asked(call, 'msisdn')),
  // A lost lock means another request is at the number now: the caller may try again.
  [VpnScriptCode.LOCK_LOST]: (_, call) => vpnErrors.busy(asked(call, 'msisdn')),
  [VpnScriptCode.EXTENSION_LENGTH_LOCKED]: ([members, stored], call) =>
    vpnErrors.extensionLengthLocked(
      asked(call, 'group'),
      Number(members),
      Number(stored),
      asked(call, 'extensionLength'),
    ),
  [VpnScriptCode.MAX_MEMBERS_BELOW_COUNT]: ([members], call) =>
    vpnErrors.maxMembersBelowCount(asked(call, 'group'), Number(members), asked(call, 'maxMembers')),
};

/**
 * The VpnError for a script's refusal, from its code, the details after the code and what was
 * asked. A code no script answers with is a bug, reported as such.
 */
export function vpnErrorFromCode(code: number, details: readonly unknown[], call: VpnScriptCall): VpnError {
  const build = byCode[code as Refusal];
  if (!build) throw new Error(`VPN script returned unknown code ${code} (${JSON.stringify(details)})`);
  return build(details, call);
}
