/**
 * What the ledger says of one account, summed (DESIGN §2, Conservation): per bucket, what was
 * put in (provisioning, top-ups, refunds, resets, any operation that is not a move), and every
 * move that did not keep available + reserved + spent as it was.
 */
import type { BucketDelta } from '../balance/types.js';

/** Operations that only move an amount between the parts of a bucket (settle: net of its steps). */
const MOVES = new Set(['settle', 'apply', 'deduct', 'return', 'expire', 'debit']);

export interface BrokenMove {
  id: string;
  op: string;
  bucket: string;
  change: number;
}

export class LedgerSums {
  /** Per bucket, the change of available + reserved + spent over every entry. */
  readonly putIn: Record<string, number> = {};
  readonly brokenMoves: BrokenMove[] = [];
  newestId: string | undefined;
  entries = 0;

  add(id: string, op: string, deltas: Record<string, BucketDelta>): void {
    this.entries++;
    this.newestId = id;
    for (const [bucket, d] of Object.entries(deltas)) {
      const change = d.available + d.reserved + d.spent;
      this.putIn[bucket] = (this.putIn[bucket] ?? 0) + change;
      if (change !== 0 && MOVES.has(op)) this.brokenMoves.push({ id, op, bucket, change });
    }
  }

  /** A copy, to add the Redis entries to without changing what the files said. */
  copy(): LedgerSums {
    const c = new LedgerSums();
    Object.assign(c.putIn, this.putIn);
    c.brokenMoves.push(...this.brokenMoves);
    c.newestId = this.newestId;
    c.entries = this.entries;
    return c;
  }
}
