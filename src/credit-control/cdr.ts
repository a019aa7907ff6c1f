import type { Cluster, Redis } from 'ioredis';
import type { SessionKeys } from './keys.js';

/** One charging data record: a closed session or a one-shot event (DESIGN §2). */
export interface ChargingRecord {
  sessionId: string;
  msisdn: string;
  service: string;
  callingParty?: string;
  calledParty?: string;
  /** The tariff destination the called number matched (DESIGN §3, Destinations). */
  destination?: string;
  role?: string;
  /** Service units used per rating group. */
  used: Record<string, number>;
  /** Amount charged per bucket. */
  amounts: Record<string, number>;
  levels: string[];
  startedAt: number;
  endedAt: number;
  /** Result-Code of the last answer. */
  resultCode: number;
  /** Why the record closed: termination, event, tcc-expired, postpaid. */
  reason: string;
  /** Requested-Action of an event. */
  action?: string;
}

export interface StoredChargingRecord extends ChargingRecord {
  id: string;
}

/** A CDR ready for its account's stream (written with its session record, SessionStore.save). */
export interface CdrEntry {
  maxLen: number;
  entry: string;
}

/** CDRs in a Redis Stream per account: the source for export and for the admin API. */
export class CdrWriter {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: SessionKeys,
    private readonly maxLen: number,
  ) {}

  entry(record: ChargingRecord): CdrEntry {
    return { maxLen: this.maxLen, entry: JSON.stringify(record) };
  }

  /**
   * Writes one CDR outside a session's script (operator tools, tests), marking its account for
   * the exporter as session-save.lua does; in a cluster the exporter finds it by SCAN.
   */
  async write(record: ChargingRecord): Promise<string> {
    const id =
      (await this.redis.xadd(
        this.keys.cdrs(record.msisdn),
        'MAXLEN',
        '~',
        this.maxLen,
        '*',
        'cdr',
        JSON.stringify(record),
      )) ?? '';
    if (!this.redis.isCluster) {
      await this.redis.zadd(
        `${this.keys.prefix}{export}:pending:cdr`,
        'NX',
        id.split('-')[0] ?? '0',
        record.msisdn,
      );
    }
    return id;
  }

  /** Newest first, optionally within [fromMs, toMs]. */
  async read(
    msisdn: string,
    options: { count?: number; fromMs?: number; toMs?: number } = {},
  ): Promise<StoredChargingRecord[]> {
    const end = options.toMs !== undefined ? String(options.toMs) : '+';
    const start = options.fromMs !== undefined ? String(options.fromMs) : '-';
    const entries = await this.redis.xrevrange(
      this.keys.cdrs(msisdn),
      end,
      start,
      'COUNT',
      options.count ?? 100,
    );
    return entries.map(([id, fields]) => ({ id, ...(JSON.parse(fields[1] ?? '{}') as ChargingRecord) }));
  }
}
