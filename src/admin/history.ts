/**
 * An account's history, newest first and paged: its ledger (every balance change) and its CDRs.
 * Both are Redis Streams per account, which hold a recent window only once the exporter runs
 * (older entries are in its files, docs/export.md), so an entry's id is `<ms>-<seq>` of when it was written;
 * a page ends with `next`, the id to pass as `before` for the page after it, and a time range
 * (`fromMs`, `toMs`, both included) selects by that time.
 */
import type { Cluster, Redis } from 'ioredis';
import type { BalanceStore, LedgerEntry } from '../balance/index.js';
import { decodeLedgerEntry } from '../balance/stored-layout.js';
import type { CdrWriter, StoredChargingRecord } from '../credit-control/cdr.js';

export interface PageQuery {
  /** Entries per page, at least 1. */
  limit: number;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  /** Only entries older than this stream id. */
  before?: string | undefined;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Reads up to `count` entries, newest first, written within [fromMs, toMs]. */
export type RangeReader<T> = (count: number, fromMs?: number, toMs?: number) => Promise<T[]>;

/** Orders stream ids `<ms>-<seq>`. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * One page of a stream read by time range. `before` narrows the range to its millisecond and
 * drops the entries of that millisecond that are not older than it; when they were many, a
 * longer read fills the page.
 */
export async function newestFirst<T extends { id: string }>(
  read: RangeReader<T>,
  query: PageQuery,
): Promise<Page<T>> {
  const { limit, fromMs, before } = query;
  let toMs = query.toMs;
  if (before !== undefined) {
    const ms = Number(before.split('-')[0]);
    toMs = toMs === undefined ? ms : Math.min(toMs, ms);
  }
  if (fromMs !== undefined && toMs !== undefined && toMs < fromMs) return { items: [], next: null };
  let want = limit + 1;
  for (;;) {
    const raw = await read(want, fromMs, toMs);
    const items = before === undefined ? raw : raw.filter((e) => compareStreamIds(e.id, before) < 0);
    if (items.length > limit || raw.length < want) {
      const page = items.slice(0, limit);
      return { items: page, next: items.length > limit ? (page[page.length - 1]?.id ?? null) : null };
    }
    // The dropped entries are the newest of the read. With one kept, they were all of them and
    // the next read is just long enough; with none kept, more may hide behind: read twice as many.
    want = items.length === 0 ? want * 2 : raw.length - items.length + limit + 1;
  }
}

/** The account's ledger as a RangeReader. */
export function ledgerReader(
  redis: Redis | Cluster,
  store: BalanceStore,
  msisdn: string,
): RangeReader<LedgerEntry> {
  const key = store.keys.account(msisdn).ledger;
  return async (count, fromMs, toMs) => {
    const raw = await redis.xrevrange(
      key,
      toMs === undefined ? '+' : String(toMs),
      fromMs === undefined ? '-' : String(fromMs),
      'COUNT',
      count,
    );
    return raw.map(decodeLedgerEntry);
  };
}

/** The account's CDRs as a RangeReader. */
export function cdrReader(cdrs: CdrWriter, msisdn: string): RangeReader<StoredChargingRecord> {
  return (count, fromMs, toMs) => cdrs.read(msisdn, { count, fromMs, toMs });
}
