/** VPN groups: their extension length and maximum of members (ZTE S201, [0042]). */
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import type { VpnChanges } from './changes.js';
import { isId, parseInput } from './input.js';
import type { VpnKeys } from './keys.js';
import { groupSchema, type Group } from './model.js';
import type { VpnReader } from './read.js';
import { VpnScriptCode, vpnErrorFromCode } from './script-codes.js';
import { scriptReply } from './scripts.js';

export type GroupInput = z.input<typeof groupSchema>;

export class VpnGroups {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly reader: VpnReader,
    private readonly changes: VpnChanges,
  ) {}

  /**
   * Creates or changes a group. Refused: EXTENSION_LENGTH_LOCKED when the group has members and
   * the extension length would change; MAX_MEMBERS_BELOW_COUNT.
   */
  async put(input: GroupInput): Promise<{ created: boolean }> {
    const group = parseInput(groupSchema, input, 'group');
    const reply = await this.redis.vpnPutGroup(
      this.keys.groups(),
      this.keys.shortNumbers(group.id),
      group.id,
      JSON.stringify(group),
      group.extensionLength,
      group.maxMembers,
    );
    const { code, details } = scriptReply(reply);
    if (code !== VpnScriptCode.OK) {
      throw vpnErrorFromCode(code, details, {
        group: group.id,
        extensionLength: group.extensionLength,
        maxMembers: group.maxMembers,
      });
    }
    await this.changes.publish('group', group.id);
    return { created: details[0] === 1 };
  }

  get(id: string): Promise<Group | undefined> {
    return isId(id) ? this.reader.getGroup(id) : Promise.resolve(undefined);
  }

  list(): Promise<Group[]> {
    return this.reader.listGroups();
  }
}
