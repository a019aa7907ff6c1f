/**
 * One exporter at a time across the instances: a Redis lock (SET NX PX) holding this instance's
 * token, renewed before every cursor is stored. An instance that finds its lock gone (a pause
 * longer than its TTL, Redis failing over) stops at once and stores nothing: the files it was
 * writing are left for the next leader to recover.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { ExportKeys } from './keys.js';
import { registerExportScripts } from './scripts.js';

export class LeadershipLostError extends Error {
  constructor() {
    super('the export lock was lost: another instance may be exporting');
    this.name = 'LeadershipLostError';
  }
}

export class ExportLeader {
  readonly token: string;
  private held = false;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: ExportKeys,
    instance: string,
    private readonly ttlMs: number,
  ) {
    this.token = `${instance}:${randomUUID()}`;
    registerExportScripts(redis);
  }

  get isLeader(): boolean {
    return this.held;
  }

  /** Takes the lock when nobody holds it, or renews ours; true when we hold it. */
  async acquire(): Promise<boolean> {
    if (this.held)
      return this.renew().then(
        () => true,
        () => false,
      );
    this.held = (await this.redis.set(this.keys.leader(), this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
    return this.held;
  }

  /** Extends the lock; throws LeadershipLostError when it is no longer ours. */
  async renew(): Promise<void> {
    const ours = await this.redis.ocsExportLeader(this.keys.leader(), 'renew', this.token, this.ttlMs);
    if (ours !== 1) {
      this.held = false;
      throw new LeadershipLostError();
    }
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.redis.ocsExportLeader(this.keys.leader(), 'release', this.token, this.ttlMs);
  }

  /** Who holds the lock now (its token starts with the instance name), or undefined. */
  holder(): Promise<string | null> {
    return this.redis.get(this.keys.leader());
  }
}
