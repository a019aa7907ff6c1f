/**
 * The VPN directory that rating reads on the hot path: memberships, activations, packages and
 * short numbers, cached in each instance (DESIGN §5). Each change made through the VpnRegistry
 * is published on CONFIG_CHANNEL and drops the affected entries of every instance within the
 * time pub/sub takes; a short TTL is the safety net for a message lost while a subscriber was
 * reconnecting (everything is dropped on reconnect too).
 */
import { Cluster, type Redis } from 'ioredis';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';
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

/**
 * A map of values with a time to live, that loads a missing value once however many callers
 * ask for it at the same time, and never keeps a value loaded before an invalidation that
 * happened while it was being loaded.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; expiresAt: number }>();
  private loading = new Map<string, Promise<V>>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expiresAt > this.now()) return Promise.resolve(hit.value);
      this.entries.delete(key);
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = load()
      .then((value) => {
        if (generation === this.generation) this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }

  delete(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  private set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const NONE: readonly Membership[] = Object.freeze([]);

export class VpnDirectory {
  private readonly reader: VpnReader;
  private readonly membershipCache: TtlCache<readonly Membership[]>;
  private readonly activationCache: TtlCache<Activation | undefined>;
  private readonly packageCache: TtlCache<ReadonlyMap<string, Package>>;
  private readonly shortCache: TtlCache<string | undefined>;
  private subscriber: Redis | Cluster | undefined;

  private constructor(options: VpnDirectoryOptions) {
    this.reader = new VpnReader(options.redis, options.keyPrefix ?? '');
    const ttl = options.ttlMs ?? 30_000;
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
    const { redis } = options;
    const subscriber: Redis | Cluster = redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
    directory.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === CONFIG_CHANNEL) directory.invalidate(message);
    });
    // Messages published while the connection was down are lost: start afresh on reconnect.
    subscriber.on('ready', () => directory.invalidate());
    try {
      await subscriber.subscribe(CONFIG_CHANNEL);
    } catch (err) {
      subscriber.disconnect();
      throw err;
    }
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
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.invalidate();
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
