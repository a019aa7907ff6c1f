/**
 * The `vpn` section of the provisioning document (DESIGN §6): groups with their members,
 * packages, and activations. The rules of ZTE FIG. 2 and 3 that can be known before anything is
 * written are checked here against the document and what is already provisioned, each problem
 * naming the path of its field, so that a bad document writes nothing; applying goes through
 * the VpnRegistry, which enforces every rule again. Running a document again is safe: a member
 * registered with the same details is left alone, and an activation already in place for the
 * package is not charged again.
 */
import { z } from 'zod';
import type { AccountView, BalanceStore } from '../balance/index.js';
import { MONEY } from '../balance/index.js';
import {
  activationRequestSchema,
  groupSchema,
  memberSchema,
  monthOf,
  packageSchema,
  type Activation,
  type ActivationRequest,
  type Group,
  type Member,
  type Membership,
  type Package,
} from '../vpn/model.js';
import { planActivation } from '../vpn/plan.js';
import type { VpnRegistry } from '../vpn/registry.js';

export const vpnGroupDocumentSchema = z
  .object({ ...groupSchema.shape, members: z.array(memberSchema).default([]) })
  .strict();

export const vpnSectionSchema = z
  .object({
    groups: z.array(vpnGroupDocumentSchema).default([]),
    packages: z.array(packageSchema).default([]),
    activations: z.array(activationRequestSchema).default([]),
  })
  .strict();

export type VpnSection = z.infer<typeof vpnSectionSchema>;

/** An account already provisioned, as the VPN rules need it. */
export interface ExistingAccount {
  prepaid: boolean;
  /** Money available now. */
  available: number;
  minThreshold: number;
}

/** What is already provisioned that the document's VPN section touches. */
export interface VpnContext {
  /** The month ('YYYY-MM') in which the document is applied. */
  month: string;
  /** Accounts already provisioned, by MSISDN (at least those the section names). */
  accounts: ReadonlyMap<string, ExistingAccount>;
  /** Groups already provisioned with their members (at least those the section names). */
  groups: ReadonlyMap<string, { group: Group; members: readonly Member[] }>;
  /** Memberships already provisioned of the numbers the section names. */
  memberships: ReadonlyMap<string, readonly Membership[]>;
  /** Packages already provisioned. */
  packages: ReadonlyMap<string, Package>;
  /** Activations already in place of the numbers the section activates. */
  activations: ReadonlyMap<string, Activation>;
}

/** Nothing provisioned yet. */
export function emptyVpnContext(nowMs = Date.now()): VpnContext {
  return {
    month: monthOf(nowMs),
    accounts: new Map(),
    groups: new Map(),
    memberships: new Map(),
    packages: new Map(),
    activations: new Map(),
  };
}

/** An account of the document, as the VPN rules need it. */
export interface DocumentAccount {
  msisdn: string;
  prepaid: boolean;
  balance: number;
  minThreshold: number;
}

/**
 * Reads what the section touches from Redis: the accounts, groups, memberships, packages and
 * activations it names.
 */
export async function loadVpnContext(
  registry: VpnRegistry,
  store: BalanceStore,
  vpn: VpnSection,
  nowMs: number,
): Promise<VpnContext> {
  const numbers = new Set<string>([
    ...vpn.groups.flatMap((g) => g.members.map((m) => m.msisdn)),
    ...vpn.activations.map((a) => a.msisdn),
  ]);
  const [accounts, groups, memberships, packages, activations] = await Promise.all([
    Promise.all([...numbers].map(async (m) => [m, await store.getAccount(m)] as const)),
    Promise.all(
      vpn.groups.map(async ({ id }) => {
        const group = await registry.getGroup(id);
        return group ? ([id, { group, members: await registry.membersOf(id) }] as const) : undefined;
      }),
    ),
    Promise.all([...numbers].map(async (m) => [m, await registry.memberships(m)] as const)),
    registry.listPackages(),
    Promise.all(
      vpn.activations.map(async ({ msisdn }) => [msisdn, await registry.activation(msisdn)] as const),
    ),
  ]);
  const existing = (a: AccountView): ExistingAccount => ({
    prepaid: a.prepaid,
    available: a.buckets[MONEY]?.available ?? 0,
    minThreshold: a.minThreshold,
  });
  return {
    month: monthOf(nowMs),
    accounts: new Map(accounts.flatMap(([m, a]) => (a ? [[m, existing(a)] as const] : []))),
    groups: new Map(groups.filter((g) => g !== undefined)),
    memberships: new Map(memberships),
    packages: new Map(packages.map((p) => [p.id, p])),
    activations: new Map(activations.flatMap(([m, a]) => (a ? [[m, a] as const] : []))),
  };
}

const sameEntry = (a: Pick<Member, 'shortNumber' | 'identity' | 'display'>, b: typeof a) =>
  a.shortNumber === b.shortNumber && a.identity === b.identity && a.display === b.display;

/**
 * An activation the document asks for that is in place already, and is left alone: the same
 * package active (the monthly run charges its next months), or pending for a next-month request.
 */
export function activationInPlace(current: Activation | undefined, request: ActivationRequest): boolean {
  if (!current || current.package !== request.package || current.next) return false;
  return current.status === 'active' || (request.when === 'next-month' && current.status === 'pending');
}

/**
 * The problems of the section, each naming the path of its field: those of the rules that can be
 * checked before anything is written, against the document's accounts and what `context` says
 * is provisioned.
 */
export function checkVpnSection(
  vpn: VpnSection,
  documentAccounts: readonly DocumentAccount[],
  context: VpnContext,
): string[] {
  const problems: string[] = [];
  const inDocument = new Map(documentAccounts.map((a) => [a.msisdn, a]));
  /** Prepaid and money to spend once the document's accounts are applied (an opening balance counts only for a new account). */
  const account = (msisdn: string): { prepaid: boolean; spendable: number } | undefined => {
    const doc = inDocument.get(msisdn);
    const existing = context.accounts.get(msisdn);
    if (existing) {
      const threshold = doc?.minThreshold ?? existing.minThreshold;
      return { prepaid: doc?.prepaid ?? existing.prepaid, spendable: existing.available - threshold };
    }
    return doc ? { prepaid: doc.prepaid, spendable: doc.balance - doc.minThreshold } : undefined;
  };

  /** Where each number belongs, from the document or already provisioned. */
  const belongs = new Map<string, { group: string; where: string }>();
  for (const [msisdn, memberships] of context.memberships) {
    const b = memberships.find((m) => m.identity === 'belongs');
    if (b) belongs.set(msisdn, { group: b.group, where: 'already provisioned' });
  }

  const groupIds = new Set<string>();
  vpn.groups.forEach((g, gi) => {
    const at = `vpn.groups[${gi}]`;
    if (groupIds.has(g.id)) {
      problems.push(`${at}.id: ${g.id} appears twice`);
      return;
    }
    groupIds.add(g.id);
    const stored = context.groups.get(g.id);
    const storedMembers = stored?.members ?? [];
    if (stored && storedMembers.length > 0 && stored.group.extensionLength !== g.extensionLength) {
      problems.push(
        `${at}.extensionLength: the group has ${storedMembers.length} members with ${stored.group.extensionLength}-digit short numbers; it cannot change to ${g.extensionLength}`,
      );
    }
    const byShort = new Map<string, string>(storedMembers.map((m) => [m.shortNumber, 'already provisioned']));
    const holder = new Map<string, string>(storedMembers.map((m) => [m.shortNumber, m.msisdn]));
    const byNumber = new Map<string, Member>(storedMembers.map((m) => [m.msisdn, m]));
    const seen = new Set<string>();
    let added = 0;
    g.members.forEach((m, mi) => {
      const mat = `${at}.members[${mi}]`;
      if (seen.has(m.msisdn)) {
        problems.push(`${mat}.msisdn: ${m.msisdn} appears twice in group ${g.id}`);
        return;
      }
      seen.add(m.msisdn);
      const storedEntry = byNumber.get(m.msisdn);
      if (storedEntry) {
        if (!sameEntry(storedEntry, m)) {
          problems.push(
            `${mat}: ${m.msisdn} is already in group ${g.id} as short number ${storedEntry.shortNumber} (${storedEntry.identity}, display ${storedEntry.display}); a document does not change a member, unregister it first`,
          );
        }
        return;
      }
      added++;
      if (m.shortNumber.length !== g.extensionLength) {
        problems.push(
          `${mat}.shortNumber: length ${m.shortNumber.length}, the group's extension length is ${g.extensionLength}`,
        );
      }
      const taken = byShort.get(m.shortNumber);
      if (taken) {
        problems.push(
          `${mat}.shortNumber: ${m.shortNumber} is taken by ${holder.get(m.shortNumber)} (${taken})`,
        );
      } else {
        byShort.set(m.shortNumber, `${mat}`);
        holder.set(m.shortNumber, m.msisdn);
      }
      if (m.identity === 'belongs') {
        const acct = account(m.msisdn);
        if (!acct) {
          problems.push(
            `${mat}.msisdn: ${m.msisdn} has no account in the document or already provisioned; only a prepaid account may belong (any number may join)`,
          );
        } else if (!acct.prepaid) {
          problems.push(
            `${mat}.identity: ${m.msisdn} is postpaid; only a prepaid account may belong (it may join)`,
          );
        }
        const other = belongs.get(m.msisdn);
        if (other && other.group !== g.id) {
          problems.push(
            `${mat}.identity: ${m.msisdn} already belongs to group ${other.group} (${other.where}); a number belongs to one group only`,
          );
        } else if (!other) {
          belongs.set(m.msisdn, { group: g.id, where: mat });
        }
      }
    });
    const total = storedMembers.length + added;
    if (total > g.maxMembers) {
      problems.push(
        `${at}.members: ${total} members${storedMembers.length ? ` (${storedMembers.length} already provisioned)` : ''}, maxMembers is ${g.maxMembers}`,
      );
    }
  });

  const packages = new Map(context.packages);
  const packageIds = new Set<string>();
  vpn.packages.forEach((p, pi) => {
    if (packageIds.has(p.id)) problems.push(`vpn.packages[${pi}].id: ${p.id} appears twice`);
    packageIds.add(p.id);
    packages.set(p.id, p);
  });

  const activated = new Set<string>();
  vpn.activations.forEach((a, ai) => {
    const at = `vpn.activations[${ai}]`;
    if (activated.has(a.msisdn)) {
      problems.push(`${at}.msisdn: ${a.msisdn} appears twice`);
      return;
    }
    activated.add(a.msisdn);
    const pkg = packages.get(a.package);
    if (!pkg) problems.push(`${at}.package: no package ${a.package} in the document or already provisioned`);
    if (!belongs.has(a.msisdn)) {
      problems.push(
        `${at}.msisdn: ${a.msisdn} belongs to no group in the document or already provisioned; only a belonging member may activate a package`,
      );
      return;
    }
    const acct = account(a.msisdn);
    if (!acct?.prepaid) {
      problems.push(
        `${at}.msisdn: ${a.msisdn} is not a prepaid account; only a prepaid account may activate a package`,
      );
      return;
    }
    const current = context.activations.get(a.msisdn);
    if (!pkg || activationInPlace(current, a)) return;
    const plan = planActivation(current, a.msisdn, a.package, a.when, context.month);
    if (plan.kind === 'charge' && pkg.monthlyFee > acct.spendable) {
      problems.push(
        `${at}: the monthly fee ${pkg.monthlyFee} of ${pkg.id} is more than the ${Math.max(0, acct.spendable)} ${a.msisdn} can spend`,
      );
    }
  });
  return problems;
}

export interface VpnProvisioningSummary {
  groups: number;
  packages: number;
  /** Members registered by this run. */
  membersAdded: number;
  /** Members already registered with the same details. */
  membersUnchanged: number;
  /** Activations this run changed (started, scheduled or switched). */
  activations: number;
  /** Functional fees charged by this run, in minor units. */
  feesCharged: number;
}

/** Applies a checked section: packages, groups, members, then activations. */
export async function applyVpnSection(
  registry: VpnRegistry,
  vpn: VpnSection,
  nowMs: number,
): Promise<VpnProvisioningSummary> {
  const summary: VpnProvisioningSummary = {
    groups: vpn.groups.length,
    packages: vpn.packages.length,
    membersAdded: 0,
    membersUnchanged: 0,
    activations: 0,
    feesCharged: 0,
  };
  for (const p of vpn.packages) await registry.putPackage(p);
  for (const { members, ...group } of vpn.groups) {
    await registry.putGroup(group);
    for (const m of members) {
      const { registered } = await registry.register(group.id, m, { sameIsNoop: true });
      if (registered) summary.membersAdded++;
      else summary.membersUnchanged++;
    }
  }
  for (const a of vpn.activations) {
    if (activationInPlace(await registry.activation(a.msisdn), a)) continue;
    const { changed, charged } = await registry.activate(a, nowMs);
    if (changed) summary.activations++;
    summary.feesCharged += charged;
  }
  return summary;
}
