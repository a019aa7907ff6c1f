/**
 * The Redis keys of the export, built here only. The account's streams are the balance store's
 * ledger and the session store's CDRs; the export adds a cursor per account in the account's
 * slot and, under the tag `{export}`, the sets that say which accounts wait, the leader's lock
 * and the trims that fall due. The pending sets' names are also built by the Lua that marks them
 * (src/balance/lua/includes/ledger.lua, src/credit-control/lua/session-save.lua).
 */
import { Keys } from '../balance/keys.js';
import { SessionKeys } from '../credit-control/keys.js';

export const EXPORT_KINDS = ['ledger', 'cdr'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export class ExportKeys {
  private readonly balance: Keys;
  private readonly sessions: SessionKeys;

  constructor(readonly prefix = '') {
    this.balance = new Keys(prefix);
    this.sessions = new SessionKeys(prefix);
  }

  /** The account's stream of this kind: `ledger:{m}` or `cdr:{m}`. */
  stream(kind: ExportKind, msisdn: string): string {
    return kind === 'ledger' ? this.balance.account(msisdn).ledger : this.sessions.cdrs(msisdn);
  }

  /** Hash `export:{m}`: per kind, the id of the last entry written to a file and synced. */
  cursor(msisdn: string): string {
    return `${this.prefix}export:{${msisdn}}`;
  }

  /** Sorted set: accounts with entries not exported, scored by the time of the first of them. */
  pending(kind: ExportKind): string {
    return `${this.prefix}{export}:pending:${kind}`;
  }

  /** Sorted set: pending accounts the exporter has taken and not finished (a crash leaves them). */
  claimed(kind: ExportKind): string {
    return `${this.prefix}{export}:claimed:${kind}`;
  }

  /** Sorted set: accounts whose exported entries leave the window kept in Redis at the score (ms). */
  trimDue(kind: ExportKind): string {
    return `${this.prefix}{export}:trim:${kind}`;
  }

  /** String: the token of the instance that exports, with a TTL it renews. */
  leader(): string {
    return `${this.prefix}{export}:leader`;
  }

  /** The SCAN pattern of every account's stream of this kind (a cluster has no pending set). */
  streamPattern(kind: ExportKind): string {
    return kind === 'ledger' ? `${this.prefix}ledger:{*}` : `${this.prefix}cdr:{*}`;
  }

  /** The MSISDN of a stream key matched by streamPattern, or undefined. */
  msisdnOfStream(kind: ExportKind, key: string): string | undefined {
    const head = `${this.prefix}${kind}:{`;
    return key.startsWith(head) && key.endsWith('}') ? key.slice(head.length, -1) : undefined;
  }
}
