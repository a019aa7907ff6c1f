/**
 * The VPN registry: groups, packages, memberships and activations in Redis (ZTE US20120057507
 * FIG. 2 and 3, DESIGN §3), and the monthly run of functional fees. Every change publishes on
 * CONFIG_CHANNEL what changed (`vpn:group:<id>`, `vpn:package:<id>`, `vpn:member:<msisdn>`,
 * `vpn:activation:<msisdn>`, after the key prefix if there is one), so that each instance's
 * VpnDirectory drops what it cached.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import {
  AccountNotFoundError,
  BalanceError,
  InsufficientFundsError,
  MONEY,
  type BalanceStore,
} from '../balance/index.js';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';
import { vpnErrors, VpnError } from './errors.js';
import type { VpnKeys } from './keys.js';
import {
  activationRequestSchema,
  freeAllowances,
  groupSchema,
  memberSchema,
  monthOf,
  packageSchema,
  type Activation,
  type ActivationRequest,
  type Group,
  type Identity,
  type Member,
  type Membership,
  type Package,
} from './model.js';
import {
  afterPayment,
  afterRefusal,
  feeDue,
  feeOpId,
  formatFeeSequence,
  parseFeeSequence,
  planActivation,
} from './plan.js';
import { decodeActivation, encodeActivation, encodeMemberEntry, VpnReader } from './read.js';
import { registerVpnScripts, scriptReply } from './scripts.js';

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

export type GroupInput = z.input<typeof groupSchema>;
export type MemberInput = z.input<typeof memberSchema>;
export type PackageInput = z.input<typeof packageSchema>;

export interface ActivationResult {
  activation: Activation;
  /** The fee this call charged (0: none). */
  charged: number;
  /** Whether the stored activation changed. */
  changed: boolean;
}

export interface MonthlyRunFailure {
  msisdn: string;
  /** A VPN error code, a balance error's name, or ERROR. */
  code: string;
  message: string;
}

export interface MonthlyRunSummary {
  month: string;
  /** Activations whose fee for the month was paid by this run. */
  charged: number;
  /** Activations whose fee could not be paid: preference off until it is. */
  suspended: number;
  /** Activations with nothing to pay for the month (paid already, or starting later). */
  skipped: number;
  /** Activations this run could not decide; a later run tries again. */
  failed: MonthlyRunFailure[];
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Validates with a model schema, refusing with every problem and its path. */
function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw vpnErrors.invalid(
    what,
    parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)),
  );
}

function checkId(what: string, id: string): void {
  if (!ID.test(id))
    throw vpnErrors.invalid(what, [`${JSON.stringify(id)} is not an id (letters, digits, . _ -)`]);
}

type FeeOutcome = { paid: true; sequence: number } | { paid: false; sequence: number; error: BalanceError };

export class VpnRegistry {
  readonly keys: VpnKeys;
  private readonly redis: Redis | Cluster;
  private readonly store: BalanceStore;
  private readonly reader: VpnReader;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;

  constructor(options: VpnRegistryOptions) {
    this.redis = options.redis;
    this.store = options.store;
    this.reader = new VpnReader(options.redis, options.keyPrefix ?? '');
    this.keys = this.reader.keys;
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.lockWaitMs = options.lockWaitMs ?? 1_000;
    registerVpnScripts(this.redis);
  }

  // ---- groups and packages (ZTE S201, [0042]) ----

  /**
   * Creates or changes a group. Refused: EXTENSION_LENGTH_LOCKED when the group has members and
   * the extension length would change; MAX_MEMBERS_BELOW_COUNT.
   */
  async putGroup(input: GroupInput): Promise<{ created: boolean }> {
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
    if (code === -1) {
      throw vpnErrors.extensionLengthLocked(
        group.id,
        Number(details[0]),
        Number(details[1]),
        group.extensionLength,
      );
    }
    if (code === -2) throw vpnErrors.maxMembersBelowCount(group.id, Number(details[0]), group.maxMembers);
    await this.publish(`vpn:group:${group.id}`);
    return { created: details[0] === 1 };
  }

  getGroup(id: string): Promise<Group | undefined> {
    return ID.test(id) ? this.reader.getGroup(id) : Promise.resolve(undefined);
  }

  listGroups(): Promise<Group[]> {
    return this.reader.listGroups();
  }

  /**
   * Creates or changes a package. A change applies to rating at once; changed free allowances
   * apply from the next reset of the members' free credits.
   */
  async putPackage(input: PackageInput): Promise<{ created: boolean }> {
    const pkg = parseInput(packageSchema, input, 'package');
    const added = await this.redis.hset(this.keys.packages(), pkg.id, JSON.stringify(pkg));
    await this.publish(`vpn:package:${pkg.id}`);
    return { created: added === 1 };
  }

  getPackage(id: string): Promise<Package | undefined> {
    return ID.test(id) ? this.reader.getPackage(id) : Promise.resolve(undefined);
  }

  listPackages(): Promise<Package[]> {
    return this.reader.listPackages();
  }

  // ---- membership (ZTE FIG. 2) ----

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
      case 0:
        await this.publish(`vpn:member:${member.msisdn}`);
        return { registered: true };
      case 1:
        return { registered: false };
      case -1:
        throw vpnErrors.groupNotFound(groupId);
      case -2:
        throw vpnErrors.shortNumberLength(groupId, member.shortNumber, Number(details[0]));
      case -3: {
        const stored = JSON.parse(String(details[0])) as { shortNumber: string; identity: string };
        throw vpnErrors.alreadyMember(groupId, member.msisdn, stored.shortNumber, stored.identity);
      }
      case -4:
        throw vpnErrors.shortNumberTaken(groupId, member.shortNumber, String(details[0]));
      case -5:
        throw vpnErrors.groupFull(groupId, Number(details[0]));
      case -6:
        throw vpnErrors.belongsElsewhere(member.msisdn, String(details[0]));
      default:
        throw new Error(`vpnRegister returned unknown code ${code}`);
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
    if (code === -1) throw vpnErrors.memberNotFound(groupId, msisdn);
    if (code === -2) throw vpnErrors.busy(msisdn);
    const activationEnded = details[1] === 1;
    await this.publish(`vpn:member:${msisdn}`);
    if (activationEnded) await this.publish(`vpn:activation:${msisdn}`);
    return { identity: details[0] as Identity, activationEnded };
  }

  memberships(msisdn: string): Promise<Membership[]> {
    return ID.test(msisdn) ? this.reader.memberships(msisdn) : Promise.resolve([]);
  }

  resolveShortNumber(groupId: string, shortNumber: string): Promise<string | undefined> {
    return ID.test(groupId)
      ? this.reader.resolveShortNumber(groupId, shortNumber)
      : Promise.resolve(undefined);
  }

  /** The members of a group, by short number. Refused with GROUP_NOT_FOUND. */
  async membersOf(groupId: string): Promise<Member[]> {
    if (!(await this.getGroup(groupId))) throw vpnErrors.groupNotFound(groupId);
    return this.reader.membersOf(groupId);
  }

  // ---- activation (ZTE FIG. 3) ----

  activation(msisdn: string): Promise<Activation | undefined> {
    return ID.test(msisdn) ? this.reader.activation(msisdn) : Promise.resolve(undefined);
  }

  /**
   * Activates a VPN package for a belonging member with a prepaid account (ZTE S301-S305).
   * Immediate: the month's fee is charged now (all or nothing), the package's free credits are
   * reset for the month, and the function is active, paid through this month. Next month:
   * nothing is charged now, the monthly run of next month charges and starts it. Asking again
   * for what is in place charges nothing. Refused with PACKAGE_NOT_FOUND, NOT_BELONGING,
   * UNKNOWN_ACCOUNT, NOT_PREPAID, INSUFFICIENT_FUNDS, CHARGE_REFUSED, BUSY or INVALID, and then
   * nothing is stored.
   */
  async activate(input: ActivationRequest, nowMs: number): Promise<ActivationResult> {
    const request = parseInput(activationRequestSchema, input, 'activation');
    const { msisdn } = request;
    const pkg = await this.getPackage(request.package);
    if (!pkg) throw vpnErrors.packageNotFound(request.package);
    const memberships = await this.reader.memberships(msisdn);
    if (!memberships.some((m) => m.identity === 'belongs')) {
      throw vpnErrors.notBelonging(
        msisdn,
        memberships.map((m) => m.group),
      );
    }
    const account = await this.store.getAccount(msisdn);
    if (!account) throw vpnErrors.unknownAccount(msisdn, 'activate');
    if (!account.prepaid) throw vpnErrors.notPrepaid(msisdn, 'activate');
    const month = monthOf(nowMs);
    return this.withLock(msisdn, async (token) => {
      const current = await this.reader.activation(msisdn);
      const plan = planActivation(current, msisdn, pkg.id, request.when, month);
      if (plan.kind === 'unchanged') return { activation: current as Activation, charged: 0, changed: false };
      if (plan.kind === 'store') {
        await this.record(token, msisdn, plan.activation);
        return { activation: plan.activation, charged: 0, changed: true };
      }
      const outcome = await this.chargeFee(msisdn, pkg, month, nowMs);
      if (!outcome.paid) {
        await this.record(token, msisdn, undefined, formatFeeSequence(month, outcome.sequence + 1));
        throw this.feeRefusal(msisdn, pkg, outcome.error, account.buckets[MONEY]?.available);
      }
      // The old package's free buckets are left as they are: rating only reads the buckets of
      // the activation's package, and as each bucket is reset once per month, switching back
      // within the month finds what was left, never a second allowance.
      await this.resetFreeCredits(msisdn, pkg, month, nowMs);
      await this.record(token, msisdn, plan.activation, formatFeeSequence(month, outcome.sequence + 1));
      return { activation: plan.activation, charged: pkg.monthlyFee, changed: true };
    });
  }

  /**
   * Pays this month's fee of a suspended (or not yet charged) activation now and turns its
   * preference back on. Nothing happens when nothing is due. Refused with
   * ACTIVATION_NOT_FOUND, PACKAGE_NOT_FOUND, INSUFFICIENT_FUNDS (it stays suspended),
   * CHARGE_REFUSED or BUSY.
   */
  async payAndResume(msisdn: string, nowMs: number): Promise<ActivationResult> {
    checkId('msisdn', msisdn);
    const month = monthOf(nowMs);
    return this.withLock(msisdn, async (token) => {
      const current = await this.reader.activation(msisdn);
      if (!current) throw vpnErrors.activationNotFound(msisdn);
      const { due, activation } = feeDue(current, month);
      if (!due) return { activation: current, charged: 0, changed: false };
      const pkg = await this.reader.getPackage(activation.package);
      if (!pkg) throw vpnErrors.packageNotFound(activation.package);
      const outcome = await this.chargeFee(msisdn, pkg, month, nowMs);
      if (!outcome.paid) {
        await this.record(
          token,
          msisdn,
          afterRefusal(activation),
          formatFeeSequence(month, outcome.sequence + 1),
        );
        const account = await this.store.getAccount(msisdn);
        throw this.feeRefusal(msisdn, pkg, outcome.error, account?.buckets[MONEY]?.available);
      }
      await this.resetFreeCredits(msisdn, pkg, month, nowMs);
      const paid = afterPayment(activation, month);
      await this.record(token, msisdn, paid, formatFeeSequence(month, outcome.sequence + 1));
      return { activation: paid, charged: pkg.monthlyFee, changed: true };
    });
  }

  // ---- the monthly run ----

  /**
   * Charges the month's functional fee of every activation that owes it (DESIGN §3): pending
   * ones that start by then, active ones and suspended ones. Paid: active, paid through the
   * month, free credits reset for it. Not payable: suspended, until a later run or
   * payAndResume can charge it. An activation paid through the month already is skipped, so
   * running twice for a month changes nothing. Activations are read in batches (HSCAN), so
   * their number is not limited by memory; a batch is processed concurrently.
   */
  async monthlyRun(
    month: string,
    nowMs: number,
    options: { batchSize?: number } = {},
  ): Promise<MonthlyRunSummary> {
    if (!MONTH.test(month)) throw vpnErrors.invalid('month', [`'YYYY-MM', got ${JSON.stringify(month)}`]);
    const batchSize = options.batchSize ?? 100;
    const packages = new Map((await this.reader.listPackages()).map((p) => [p.id, p]));
    const summary: MonthlyRunSummary = { month, charged: 0, suspended: 0, skipped: 0, failed: [] };
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.activations(), cursor, 'COUNT', batchSize);
      cursor = next;
      const batch: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) batch.push([flat[i] as string, flat[i + 1] as string]);
      await Promise.all(
        batch.map(async ([msisdn, raw]) => {
          try {
            // Most activations owe nothing on a second run: decide that without the lock.
            if (!feeDue(decodeActivation(raw), month).due) {
              summary.skipped++;
              return;
            }
            summary[await this.chargeMonth(msisdn, month, nowMs, packages)]++;
          } catch (err) {
            summary.failed.push({
              msisdn,
              code: err instanceof VpnError ? err.code : err instanceof BalanceError ? err.name : 'ERROR',
              message: err instanceof Error ? err.message : String(err),
            });
          }
        }),
      );
    } while (cursor !== '0');
    return summary;
  }

  /** One activation of the monthly run, under the number's lock. */
  private chargeMonth(
    msisdn: string,
    month: string,
    nowMs: number,
    packages: ReadonlyMap<string, Package>,
  ): Promise<'charged' | 'suspended' | 'skipped'> {
    return this.withLock(msisdn, async (token) => {
      const current = await this.reader.activation(msisdn);
      if (!current) return 'skipped';
      const { due, activation } = feeDue(current, month);
      if (!due) return 'skipped';
      const pkg = packages.get(activation.package) ?? (await this.reader.getPackage(activation.package));
      if (!pkg) throw vpnErrors.packageNotFound(activation.package);
      const outcome = await this.chargeFee(msisdn, pkg, month, nowMs);
      const sequence = formatFeeSequence(month, outcome.sequence + 1);
      if (outcome.paid) {
        await this.resetFreeCredits(msisdn, pkg, month, nowMs);
        await this.record(token, msisdn, afterPayment(activation, month), sequence);
        return 'charged';
      }
      if (outcome.error instanceof InsufficientFundsError) {
        await this.record(token, msisdn, afterRefusal(activation), sequence);
        return 'suspended';
      }
      await this.record(token, msisdn, undefined, sequence);
      throw outcome.error;
    });
  }

  // ---- helpers ----

  /**
   * Charges a month's fee of a package with the month's current operation id (see feeOpId). A
   * refusal by the balance store is returned, not thrown: the caller records it.
   */
  private async chargeFee(msisdn: string, pkg: Package, month: string, nowMs: number): Promise<FeeOutcome> {
    const sequence = parseFeeSequence(await this.redis.hget(this.keys.feeSequence(), msisdn), month);
    if (pkg.monthlyFee === 0) return { paid: true, sequence };
    try {
      await this.store.directDebit({
        opId: feeOpId(msisdn, month, sequence),
        msisdn,
        tiers: [{ bucket: MONEY, unitSize: 1, pricePerUnit: pkg.monthlyFee }],
        units: 1,
        nowMs,
      });
      return { paid: true, sequence };
    } catch (err) {
      if (err instanceof BalanceError) return { paid: false, sequence, error: err };
      throw err;
    }
  }

  private async resetFreeCredits(msisdn: string, pkg: Package, month: string, nowMs: number): Promise<void> {
    const buckets = freeAllowances(pkg);
    if (Object.keys(buckets).length === 0) return;
    await this.store.resetFreeCredits({ msisdn, buckets, period: month, nowMs });
  }

  private feeRefusal(
    msisdn: string,
    pkg: Package,
    error: BalanceError,
    available: number | undefined,
  ): VpnError {
    if (error instanceof InsufficientFundsError) {
      return vpnErrors.insufficientFunds(msisdn, pkg.id, pkg.monthlyFee, available);
    }
    if (error instanceof AccountNotFoundError) return vpnErrors.unknownAccount(msisdn, 'activate');
    return vpnErrors.chargeRefused(msisdn, pkg.id, error.message);
  }

  /** Writes an activation and/or the fee sequence, if the lock is still this caller's. */
  private async record(token: string, msisdn: string, activation?: Activation, sequence = ''): Promise<void> {
    const reply = await this.redis.vpnRecord(
      this.keys.lock(msisdn),
      this.keys.activations(),
      this.keys.feeSequence(),
      token,
      msisdn,
      activation ? encodeActivation(activation) : '',
      sequence,
    );
    // Lost lock: nothing written. A charge already made is replayed by the next attempt (the
    // fee sequence did not move), never made twice.
    if (scriptReply(reply).code !== 0) throw vpnErrors.busy(msisdn);
    if (activation) await this.publish(`vpn:activation:${msisdn}`);
  }

  /**
   * Runs `fn` holding the number's lock, which serialises the charges and changes of one
   * number's VPN function across instances (and makes unregister wait).
   */
  private async withLock<T>(msisdn: string, fn: (token: string) => Promise<T>): Promise<T> {
    checkId('msisdn', msisdn);
    const key = this.keys.lock(msisdn);
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      if ((await this.redis.set(key, token, 'PX', this.lockTtlMs, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) throw vpnErrors.busy(msisdn);
      await sleep(20 + Math.floor(Math.random() * 30));
    }
    try {
      return await fn(token);
    } finally {
      await this.redis.vpnUnlock(key, token);
    }
  }

  /** Tells every instance what changed; the key prefix keeps deployments sharing a Redis apart. */
  private async publish(what: string): Promise<void> {
    await this.redis.publish(CONFIG_CHANNEL, `${this.keys.prefix}${what}`);
  }
}
