/**
 * The VPN registry: groups, packages, memberships and activations in Redis (ZTE US20120057507
 * FIG. 2 and 3, DESIGN §3), and the monthly run of functional fees. One object for the admin
 * API, provisioning and the monthly command; each reason to change lives in its own file.
 * Every change is announced on CONFIG_CHANNEL (see changes.ts).
 */
import type { Cluster, Redis } from 'ioredis';
import type { BalanceStore } from '../balance/index.js';
import { ActivationRecord } from './activation-record.js';
import { VpnActivations, type ActivationResult } from './activation.js';
import { VpnChanges } from './changes.js';
import { FunctionalFee } from './fee.js';
import { VpnGroups, type GroupInput } from './groups.js';
import type { VpnKeys } from './keys.js';
import { VpnMembers, type MemberInput } from './members.js';
import type { Activation, ActivationRequest, Group, Identity, Member, Membership, Package } from './model.js';
import { MonthlyRun, type MonthlyRunSummary } from './monthly-run.js';
import { BundleRenewal, type BundleRenewalSummary } from '../bundles/renewal.js';
import { NumberLock } from './number-lock.js';
import { VpnPackages, type PackageInput } from './packages.js';
import { VpnReader } from './read.js';
import { registerVpnScripts } from './scripts.js';

export type { ActivationResult } from './activation.js';
export type { GroupInput } from './groups.js';
export type { MemberInput } from './members.js';
export type { MonthlyRunFailure, MonthlyRunSummary } from './monthly-run.js';
export type { PackageInput } from './packages.js';
export type { OnSuspension, Suspension } from './model.js';

export interface VpnRegistryOptions {
  redis: Redis | Cluster;
  /** Prepended to every key (tests isolate themselves with it); use the balance store's. */
  keyPrefix?: string;
  store: BalanceStore;
  /** How long a number's lock lives if its holder dies. Default 10 s. */
  lockTtlMs?: number;
  /** How long a request waits for a number's lock before it is refused as BUSY. Default 1 s. */
  lockWaitMs?: number;
}

export class VpnRegistry {
  readonly keys: VpnKeys;
  private readonly groups: VpnGroups;
  private readonly packages: VpnPackages;
  private readonly members: VpnMembers;
  private readonly activations: VpnActivations;
  private readonly monthly: MonthlyRun;
  private readonly renewal: BundleRenewal;

  constructor(options: VpnRegistryOptions) {
    const { redis, store } = options;
    const reader = new VpnReader(redis, options.keyPrefix ?? '');
    const keys = reader.keys;
    const changes = new VpnChanges(redis, keys.prefix);
    const lock = new NumberLock(redis, keys, options.lockTtlMs ?? 10_000, options.lockWaitMs ?? 1_000);
    const record = new ActivationRecord(redis, keys, changes);
    const fee = new FunctionalFee(redis, keys, store);
    this.keys = keys;
    this.groups = new VpnGroups(redis, keys, reader, changes);
    this.packages = new VpnPackages(redis, keys, reader, changes);
    this.members = new VpnMembers(redis, keys, reader, store, changes);
    this.activations = new VpnActivations(reader, store, lock, record, fee);
    this.monthly = new MonthlyRun(redis, keys, reader, lock, record, fee);
    this.renewal = new BundleRenewal(redis, store);
    registerVpnScripts(redis);
  }

  putGroup(input: GroupInput): Promise<{ created: boolean }> {
    return this.groups.put(input);
  }

  getGroup(id: string): Promise<Group | undefined> {
    return this.groups.get(id);
  }

  listGroups(): Promise<Group[]> {
    return this.groups.list();
  }

  putPackage(input: PackageInput): Promise<{ created: boolean }> {
    return this.packages.put(input);
  }

  getPackage(id: string): Promise<Package | undefined> {
    return this.packages.get(id);
  }

  listPackages(): Promise<Package[]> {
    return this.packages.list();
  }

  register(
    groupId: string,
    input: MemberInput,
    options: { sameIsNoop?: boolean } = {},
  ): Promise<{ registered: boolean }> {
    return this.members.register(groupId, input, options);
  }

  unregister(groupId: string, msisdn: string): Promise<{ identity: Identity; activationEnded: boolean }> {
    return this.members.unregister(groupId, msisdn);
  }

  memberships(msisdn: string): Promise<Membership[]> {
    return this.members.memberships(msisdn);
  }

  resolveShortNumber(groupId: string, shortNumber: string): Promise<string | undefined> {
    return this.members.resolveShortNumber(groupId, shortNumber);
  }

  membersOf(groupId: string): Promise<Member[]> {
    return this.members.membersOf(groupId);
  }

  activation(msisdn: string): Promise<Activation | undefined> {
    return this.activations.get(msisdn);
  }

  activate(input: ActivationRequest, nowMs: number): Promise<ActivationResult> {
    return this.activations.activate(input, nowMs);
  }

  payAndResume(msisdn: string, nowMs: number): Promise<ActivationResult> {
    return this.activations.payAndResume(msisdn, nowMs);
  }

  /**
   * The monthly run: the month's functional fees, then the bundles step (DESIGN §3, Bundles:
   * ended bundles cleared, calendar-month bundles renewed); the failures of both are listed
   * together, so a run with any is tried again as a whole.
   */
  async monthlyRun(
    month: string,
    nowMs: number,
    options: { batchSize?: number } = {},
  ): Promise<MonthlyRunSummary & { bundles: Omit<BundleRenewalSummary, 'failed'> }> {
    const summary = await this.monthly.run(month, nowMs, options);
    const { failed, ...bundles } = await this.renewal.run(month, nowMs, options);
    return { ...summary, bundles, failed: [...summary.failed, ...failed] };
  }
}
