import type { Cluster, Redis } from 'ioredis';
import type { PeerEvents, PeerInfo } from '../diameter/peer/handler.js';
import type { Logger } from '../logging.js';
import type { NetworkKeys } from './keys.js';

/** How long an entry holds without a refresh: an instance that died leaves it this long at most. */
export const PEER_ENTRY_TTL_MS = 15_000;

/**
 * Which instance holds an open connection to which Diameter peer, in Redis: one sorted set per
 * peer of instance ids scored by when the entry expires. An instance writes its entry when a
 * peer's first connection opens, refreshes its entries every third of the TTL and deletes one
 * when the peer's last connection closes; the entry of an instance that died expires by itself.
 * Any instance (or the `ocs` command) reads it to route a request for a session to the instance
 * that can send it (router.ts).
 */
export class PeerRegistry implements PeerEvents {
  /** Open connections of this instance per peer. */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: NetworkKeys,
    private readonly instanceId: string,
    private readonly logger: Logger,
    private readonly ttlMs = PEER_ENTRY_TTL_MS,
  ) {}

  /** Keeps this instance's entries fresh until close(). */
  start(): void {
    this.timer = setInterval(
      () => {
        for (const host of this.held.keys()) this.write(host);
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    this.timer.unref();
  }

  opened(peer: PeerInfo): void {
    const host = peer.originHost;
    const count = (this.held.get(host) ?? 0) + 1;
    this.held.set(host, count);
    if (count === 1) this.write(host);
  }

  closed(peer: PeerInfo): void {
    const host = peer.originHost;
    const count = (this.held.get(host) ?? 0) - 1;
    if (count > 0) {
      this.held.set(host, count);
      return;
    }
    this.held.delete(host);
    this.redis.zrem(this.keys.peerHolders(host), this.instanceId).catch((err: unknown) => {
      this.logger.warn({ err, peer: host }, 'peer registry: could not remove this instance');
    });
  }

  /** Whether this instance holds an open connection to the peer. */
  holds(originHost: string): boolean {
    return this.held.has(originHost);
  }

  /** The instances whose entry for the peer has not expired. */
  async holders(originHost: string): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.peerHolders(originHost), Date.now(), '+inf');
  }

  /** Stops refreshing and removes this instance's entries (a clean shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const hosts = [...this.held.keys()];
    this.held.clear();
    await Promise.all(
      hosts.map((h) => this.redis.zrem(this.keys.peerHolders(h), this.instanceId).catch(() => undefined)),
    );
  }

  private write(host: string): void {
    const key = this.keys.peerHolders(host);
    const now = Date.now();
    // One key per command: the peers' keys lie in slots of their own on a Redis Cluster.
    Promise.all([
      this.redis.zadd(key, now + this.ttlMs, this.instanceId),
      this.redis.zremrangebyscore(key, '-inf', now),
      this.redis.pexpire(key, 2 * this.ttlMs),
    ]).catch((err: unknown) => {
      this.logger.warn({ err, peer: host }, 'peer registry: could not write this instance');
    });
  }
}
