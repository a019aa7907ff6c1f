/**
 * The VPN directory that rating reads on the hot path: memberships, activations, packages and
 * short numbers, cached in each instance (DESIGN §5). Each change made through the VpnRegistry
 * is published on CONFIG_CHANNEL and drops the affected entries of every instance within the
 * time pub/sub takes; a short TTL is the safety net for a message lost while a subscriber was
 * reconnecting (everything is dropped on reconnect too).
 */
import type { Cluster, Redis } from 'ioredis';
import { subscribeToConfigChanges, type ConfigSubscription } from '../config-cache/subscription.js';
import { DEFAULT_CONFIG_CACHE_TTL_MS, TtlCache } from '../config-cache/ttl-cache.js';
import type { Activation, Membership, Package } from './model.js';
import { VpnReader } from './read.js';

export interface VpnDirectoryOptions {
  redis: Redis | Cluster;
  keyPrefix?: string;
  /** Age after which an entry is read again even without a message. Default 30 s. */
  ttlMs?: number;
  /** Entries kept per kind (the oldest go first). Default 100 000. */
  maxEntries?: number;
  /** The clock, for tests. */
  now?: () => number;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const NONE: readonly Membership[] = Object.freeze([]);

export class VpnDirectory {
  private readonly reader: VpnReader;
  private readonly membershipCache: TtlCache<readonly Membership[]>;
  private readonly activationCache: TtlCache<Activation | undefined>;
  private readonly packageCache: TtlCache<ReadonlyMap<string, Package>>;
  private readonly shortCache: TtlCache<string | undefined>;
  private subscription: ConfigSubscription | undefined;

  private constructor(options: VpnDirectoryOptions) {
    this.reader = new VpnReader(options.redis, options.keyPrefix ?? '');
    const ttl = options.ttlMs ?? DEFAULT_CONFIG_CACHE_TTL_MS;
    const max = options.maxEntries ?? 100_000;
    const now = options.now ?? Date.now;
    this.membershipCache = new TtlCache(ttl, max, now);
    this.activationCache = new TtlCache(ttl, max, now);
    this.packageCache = new TtlCache(ttl, 1, now);
    this.shortCache = new TtlCache(ttl, max, now);
  }

  /** A directory subscribed (on its own duplicate connection) to CONFIG_CHANNEL. */
  static async open(options: VpnDirectoryOptions): Promise<VpnDirectory> {
    const directory = new VpnDirectory(options);
    directory.subscription = await subscribeToConfigChanges(options.redis, {
      changed: (message) => directory.invalidate(message),
      forgetAll: () => directory.invalidate(),
    });
    return directory;
  }

  /** The number's memberships ([] for a number in no group, the common case). */
  memberships(msisdn: string): Promise<readonly Membership[]> {
    if (!ID.test(msisdn)) return Promise.resolve(NONE);
    return this.membershipCache.get(msisdn, () => this.reader.memberships(msisdn));
  }

  activation(msisdn: string): Promise<Activation | undefined> {
    if (!ID.test(msisdn)) return Promise.resolve(undefined);
    return this.activationCache.get(msisdn, () => this.reader.activation(msisdn));
  }

  packages(): Promise<ReadonlyMap<string, Package>> {
    return this.packageCache.get(
      'all',
      async () => new Map((await this.reader.listPackages()).map((p) => [p.id, p])),
    );
  }

  resolveShortNumber(groupId: string, shortNumber: string): Promise<string | undefined> {
    if (!ID.test(groupId) || !/^\d{1,8}$/.test(shortNumber)) return Promise.resolve(undefined);
    return this.shortCache.get(`${groupId}|${shortNumber}`, () =>
      this.reader.resolveShortNumber(groupId, shortNumber),
    );
  }

  /**
   * Drops what a CONFIG_CHANNEL message says changed (`vpn:member:<msisdn>`,
   * `vpn:activation:<msisdn>`, `vpn:package:<id>`, `vpn:group:<id>`, each after the key
   * prefix); any other `vpn:` message, or none, drops everything. Other messages (tariffs, or
   * another key prefix's) are ignored.
   */
  invalidate(message?: string): void {
    const own = `${this.reader.keys.prefix}vpn:`;
    // Not about the VPN (tariffs), or about another deployment's keys on the same Redis.
    if (message !== undefined && !message.startsWith(own)) return;
    const [, kind, id] = /^([a-z]+):(.+)$/.exec(message?.slice(own.length) ?? '') ?? [];
    switch (kind) {
      case 'member':
        this.membershipCache.delete(id as string);
        // A registration or removal changes its group's short numbers, cached also as "none".
        this.shortCache.clear();
        return;
      case 'activation':
        this.activationCache.delete(id as string);
        return;
      case 'package':
        this.packageCache.clear();
        return;
      case 'group':
        this.shortCache.clear();
        return;
      default:
        this.membershipCache.clear();
        this.activationCache.clear();
        this.packageCache.clear();
        this.shortCache.clear();
    }
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.invalidate();
    await subscription?.close();
  }
}
