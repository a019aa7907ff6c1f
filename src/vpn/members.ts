/**
 * Membership of VPN groups (ZTE FIG. 2): registering and unregistering numbers with their short
 * numbers, and reading who is in which group.
 */
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import type { BalanceStore } from '../balance/index.js';
import type { VpnChanges } from './changes.js';
import { vpnErrors } from './errors.js';
import { checkId, isId, parseInput } from './input.js';
import type { VpnKeys } from './keys.js';
import { memberSchema, type Identity, type Member, type Membership } from './model.js';
import { encodeMemberEntry, type VpnReader } from './read.js';
import { VpnScriptCode, vpnErrorFromCode } from './script-codes.js';
import { scriptReply } from './scripts.js';

export type MemberInput = z.input<typeof memberSchema>;

export class VpnMembers {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly reader: VpnReader,
    private readonly store: BalanceStore,
    private readonly changes: VpnChanges,
  ) {}

  /**
   * Registers a number in a group (ZTE S203-S211). Any number may join, any number of groups;
   * only a prepaid account of this OCS may belong, and to one group only. Refused with
   * GROUP_NOT_FOUND, SHORT_NUMBER_LENGTH, ALREADY_MEMBER, SHORT_NUMBER_TAKEN, GROUP_FULL,
   * BELONGS_ELSEWHERE, UNKNOWN_ACCOUNT, NOT_PREPAID or INVALID. With `sameIsNoop`, registering
   * again exactly as registered already is not a refusal but `{ registered: false }`.
   */
  async register(
    groupId: string,
    input: MemberInput,
    options: { sameIsNoop?: boolean } = {},
  ): Promise<{ registered: boolean }> {
    checkId('group', groupId);
    const member = parseInput(memberSchema, input, 'member');
    if (member.identity === 'belongs') {
      // The account is in its own slot ({msisdn}), so it cannot be read by the script; an
      // account turned postpaid between this read and the script is the one gap, and the
      // activation checks prepaid again.
      const account = await this.store.getAccount(member.msisdn);
      if (!account) throw vpnErrors.unknownAccount(member.msisdn, 'belong');
      if (!account.prepaid) throw vpnErrors.notPrepaid(member.msisdn, 'belong');
    }
    const reply = await this.redis.vpnRegister(
      this.keys.groups(),
      this.keys.shortNumbers(groupId),
      this.keys.member(member.msisdn),
      groupId,
      member.msisdn,
      member.shortNumber,
      member.identity,
      encodeMemberEntry(member),
      options.sameIsNoop ? '1' : '0',
    );
    const { code, details } = scriptReply(reply);
    switch (code) {
      case VpnScriptCode.OK:
        await this.changes.publish('member', member.msisdn);
        return { registered: true };
      case VpnScriptCode.UNCHANGED:
        return { registered: false };
      default:
        throw vpnErrorFromCode(code, details, {
          group: groupId,
          msisdn: member.msisdn,
          shortNumber: member.shortNumber,
        });
    }
  }

  /**
   * Takes a number out of a group. Leaving the group it belongs to also ends its VPN function
   * (its activation is deleted; fees paid are not refunded, its free buckets stay and are no
   * longer rated). Refused with MEMBER_NOT_FOUND, or BUSY while its fee is being charged.
   */
  async unregister(
    groupId: string,
    msisdn: string,
  ): Promise<{ identity: Identity; activationEnded: boolean }> {
    checkId('group', groupId);
    checkId('msisdn', msisdn);
    const reply = await this.redis.vpnUnregister(
      this.keys.shortNumbers(groupId),
      this.keys.member(msisdn),
      this.keys.activations(),
      this.keys.lock(msisdn),
      groupId,
      msisdn,
    );
    const { code, details } = scriptReply(reply);
    if (code !== VpnScriptCode.OK) throw vpnErrorFromCode(code, details, { group: groupId, msisdn });
    const activationEnded = details[1] === 1;
    await this.changes.publish('member', msisdn);
    if (activationEnded) await this.changes.publish('activation', msisdn);
    return { identity: details[0] as Identity, activationEnded };
  }

  memberships(msisdn: string): Promise<Membership[]> {
    return isId(msisdn) ? this.reader.memberships(msisdn) : Promise.resolve([]);
  }

  resolveShortNumber(groupId: string, shortNumber: string): Promise<string | undefined> {
    return isId(groupId) ? this.reader.resolveShortNumber(groupId, shortNumber) : Promise.resolve(undefined);
  }

  /** The members of a group, by short number. Refused with GROUP_NOT_FOUND. */
  async membersOf(groupId: string): Promise<Member[]> {
    if (!isId(groupId) || !(await this.reader.getGroup(groupId))) throw vpnErrors.groupNotFound(groupId);
    return this.reader.membersOf(groupId);
  }
}
