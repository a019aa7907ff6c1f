/**
 * Where the exporter finds the accounts with entries to export. On one Redis the scripts that
 * write an entry mark its account in a pending set, so a pass reads only those (PendingAccounts).
 * A Redis Cluster cannot: a script may touch one slot only, and the set is in another; there a
 * pass walks every master's streams by SCAN (ScannedAccounts), off the request path, at a cost
 * that grows with the number of accounts instead of the number of entries (docs/export.md).
 */
import { Cluster, type Redis } from 'ioredis';
import type { ExportKeys, ExportKind } from './keys.js';
import { registerExportScripts } from './scripts.js';

export interface AccountSource {
  /** Up to `limit` accounts to look at; none when the pass has seen every one. */
  next(kind: ExportKind, limit: number): Promise<string[]>;
  /** These accounts have nothing left to export (up to where they were read). */
  finished(kind: ExportKind, accounts: string[]): Promise<void>;
}

/** The pending sets of one Redis: accounts claimed oldest first, released once exported. */
export class PendingAccounts implements AccountSource {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: ExportKeys,
    /** Only accounts pending since at most this time (ms): `ocs export` stops at its start. */
    private readonly untilMs = Number.POSITIVE_INFINITY,
  ) {
    registerExportScripts(redis);
  }

  next(kind: ExportKind, limit: number): Promise<string[]> {
    const until = Number.isFinite(this.untilMs) ? String(this.untilMs) : '+inf';
    return this.redis.ocsExportClaim(this.keys.pending(kind), this.keys.claimed(kind), limit, until);
  }

  async finished(kind: ExportKind, accounts: string[]): Promise<void> {
    if (accounts.length > 0) await this.redis.zrem(this.keys.claimed(kind), ...accounts);
  }
}

/** Every account's stream on every master, by SCAN, one sweep per pass. */
export class ScannedAccounts implements AccountSource {
  private readonly sweeps = new Map<ExportKind, { nodes: Redis[]; node: number; cursor: string }>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: ExportKeys,
  ) {}

  async next(kind: ExportKind, limit: number): Promise<string[]> {
    let sweep = this.sweeps.get(kind);
    if (!sweep) {
      const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
      sweep = { nodes, node: 0, cursor: '0' };
      this.sweeps.set(kind, sweep);
    }
    const found: string[] = [];
    while (found.length === 0) {
      const node = sweep.nodes[sweep.node];
      if (!node) {
        this.sweeps.delete(kind);
        return [];
      }
      const [cursor, streams] = await node.scan(
        sweep.cursor,
        'MATCH',
        this.keys.streamPattern(kind),
        'COUNT',
        Math.max(limit, 100),
        'TYPE',
        'stream',
      );
      for (const key of streams) {
        const msisdn = this.keys.msisdnOfStream(kind, key);
        if (msisdn !== undefined) found.push(msisdn);
      }
      if (cursor === '0') {
        sweep.node++;
        sweep.cursor = '0';
      } else {
        sweep.cursor = cursor;
      }
    }
    return found;
  }

  async finished(): Promise<void> {}
}
