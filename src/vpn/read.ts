/**
 * Reads of the stored VPN configuration, shared by the registry (which writes it) and the
 * directory (which caches it for rating). Stored JSON is checked on the way out, so a value
 * written by hand or by an older version fails loudly instead of rating wrongly.
 */
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { VpnKeys } from './keys.js';
import {
  groupSchema,
  identitySchema,
  packageSchema,
  type Activation,
  type Group,
  type Member,
  type Membership,
  type Package,
} from './model.js';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

/** A membership as stored under `member:<msisdn>`, field = group id. */
export const memberEntrySchema = z
  .object({ shortNumber: z.string(), identity: identitySchema, display: z.enum(['short', 'long']) })
  .strict();
export type MemberEntry = z.infer<typeof memberEntrySchema>;

export const activationSchema = z
  .object({
    msisdn: z.string(),
    package: z.string(),
    status: z.enum(['active', 'pending', 'suspended']),
    activeFrom: month,
    paidThrough: month.or(z.literal('')),
    next: z.object({ package: z.string(), from: month }).strict().optional(),
  })
  .strict();

/** The stored form of a membership; the field order is fixed so that equal entries are equal strings. */
export function encodeMemberEntry(m: Pick<Member, 'shortNumber' | 'identity' | 'display'>): string {
  return JSON.stringify({ shortNumber: m.shortNumber, identity: m.identity, display: m.display });
}

export function encodeActivation(a: Activation): string {
  const { msisdn, package: pkg, status, activeFrom, paidThrough, next } = a;
  return JSON.stringify(
    next
      ? { msisdn, package: pkg, status, activeFrom, paidThrough, next }
      : { msisdn, package: pkg, status, activeFrom, paidThrough },
  );
}

export function decodeActivation(raw: string): Activation {
  return activationSchema.parse(JSON.parse(raw));
}

export function decodeMemberships(raw: Record<string, string>): Membership[] {
  return Object.entries(raw)
    .map(([group, value]) => ({ group, ...memberEntrySchema.parse(JSON.parse(value)) }))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

export class VpnReader {
  readonly keys: VpnKeys;

  constructor(
    readonly redis: Redis | Cluster,
    keyPrefix = '',
  ) {
    this.keys = new VpnKeys(keyPrefix);
  }

  async getGroup(id: string): Promise<Group | undefined> {
    const raw = await this.redis.hget(this.keys.groups(), id);
    return raw ? groupSchema.parse(JSON.parse(raw)) : undefined;
  }

  async listGroups(): Promise<Group[]> {
    const all = await this.redis.hgetall(this.keys.groups());
    return Object.values(all)
      .map((raw) => groupSchema.parse(JSON.parse(raw)))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async getPackage(id: string): Promise<Package | undefined> {
    const raw = await this.redis.hget(this.keys.packages(), id);
    return raw ? packageSchema.parse(JSON.parse(raw)) : undefined;
  }

  async listPackages(): Promise<Package[]> {
    const all = await this.redis.hgetall(this.keys.packages());
    return Object.values(all)
      .map((raw) => packageSchema.parse(JSON.parse(raw)))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The number's memberships, by group id. */
  async memberships(msisdn: string): Promise<Membership[]> {
    return decodeMemberships(await this.redis.hgetall(this.keys.member(msisdn)));
  }

  async resolveShortNumber(groupId: string, shortNumber: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.shortNumbers(groupId), shortNumber)) ?? undefined;
  }

  /** The members of a group, by short number; [] for a group without members or none at all. */
  async membersOf(groupId: string): Promise<Member[]> {
    const byShort = Object.entries(await this.redis.hgetall(this.keys.shortNumbers(groupId)));
    if (byShort.length === 0) return [];
    // Every VPN key is in the {vpn} slot, so one pipeline serves a Redis Cluster too.
    const pipeline = this.redis.pipeline();
    for (const [, msisdn] of byShort) pipeline.hget(this.keys.member(msisdn), groupId);
    const entries = (await pipeline.exec()) ?? [];
    const members: Member[] = [];
    byShort.forEach(([, msisdn], i) => {
      const [err, raw] = entries[i] ?? [null, null];
      if (err) throw err;
      if (typeof raw !== 'string') return;
      members.push({ msisdn, ...memberEntrySchema.parse(JSON.parse(raw)) });
    });
    return members.sort((a, b) => (a.shortNumber < b.shortNumber ? -1 : 1));
  }

  async activation(msisdn: string): Promise<Activation | undefined> {
    const raw = await this.redis.hget(this.keys.activations(), msisdn);
    return raw ? decodeActivation(raw) : undefined;
  }
}
