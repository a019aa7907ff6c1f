/**
 * An account's bundles in Redis (DESIGN §3, Bundles; §5, Keys): buying one (the balance
 * script add-bundle.lua takes the fee and credits the units in one call), reading what is
 * held, and clearing those that have ended (expire-bundles.lua).
 */
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_LEDGER_MAX_LEN, type BalanceStore } from '../balance/index.js';
import { unwrap } from '../balance/decode.js';
import type { Bundle } from '../catalog/bundles.js';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';
import { bundleChangeMessage } from './change-message.js';
import { BundleKeys } from './keys.js';
import {
  bundleBucket,
  bundleEnd,
  monthOf,
  parseBundleBucket,
  termsOf,
  type BundleTerms,
  type HeldBundle,
} from './model.js';

/** A bundle's terms with the bucket that holds its units. */
export type BundleHolding = BundleTerms & { bucket: string };

export interface AddBundleRequest {
  msisdn: string;
  bundle: Bundle;
  /** Idempotency: the same id again returns the first result and changes nothing. */
  opId: string;
  /** The buyer's reference, kept in the ledger entry. */
  reference?: string;
  nowMs: number;
  /** A calendar-month bundle: the month it is bought for (default: the month of nowMs). */
  month?: string;
}

export interface AddedBundle {
  bucket: string;
  units: number;
  fee: number;
  startsAtMs: number;
  endsAtMs: number;
  /** Units available in the bucket right after (more than `units` when it held some already). */
  available: number;
  moneyAvailable: number;
}

export interface ExpiredBundles {
  /** Buckets cleared, with the units written off. */
  expired: { bucket: string; units: number }[];
  /** Ended buckets kept because a session still holds units of them. */
  held: string[];
}

export interface AccountBundlesOptions {
  /** How long an operation id returns its first result. Default 30 days (a buyer's reference). */
  opTtlSeconds?: number;
  /** Approximate cap of the ledger stream, as the balance store's. */
  ledgerMaxLen?: number;
}

export class AccountBundles {
  readonly keys: BundleKeys;
  private readonly opTtlSeconds: number;
  private readonly ledgerMaxLen: number;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly store: BalanceStore,
    options: AccountBundlesOptions = {},
  ) {
    this.keys = new BundleKeys(store.keys.prefix);
    this.opTtlSeconds = options.opTtlSeconds ?? 30 * 86_400;
    this.ledgerMaxLen = options.ledgerMaxLen ?? DEFAULT_LEDGER_MAX_LEN;
  }

  /**
   * Buys a bundle: the fee from money (above the minimum threshold) and the units into the
   * bundle's bucket, in one script. Throws InsufficientFundsError, AccountNotFoundError; neither
   * is remembered under the operation id, so the same one may succeed later.
   */
  async add(req: AddBundleRequest): Promise<AddedBundle> {
    const { msisdn, bundle, nowMs } = req;
    const month = req.month ?? monthOf(nowMs);
    const endsAtMs = bundleEnd(bundle, nowMs, month);
    const bucket = bundleBucket(bundle.id, endsAtMs);
    const terms = termsOf(bundle, nowMs, endsAtMs);
    const account = this.store.keys.account(msisdn);
    const reply = await this.redis.ocsAddBundle(
      account.account,
      account.ledger,
      this.store.keys.operation(msisdn, req.opId),
      this.keys.account(msisdn),
      req.opId,
      String(nowMs),
      String(this.opTtlSeconds),
      String(this.ledgerMaxLen),
      bucket,
      String(terms.units),
      String(bundle.fee),
      req.reference ?? '',
      JSON.stringify(terms),
      terms.calendarMonth ? month : '',
    );
    const f = unwrap(reply);
    await this.redis.sadd(this.keys.holders(), msisdn);
    await this.announce(msisdn);
    return {
      bucket,
      units: f.int('units'),
      fee: f.int('fee'),
      startsAtMs: nowMs,
      endsAtMs,
      available: f.int('available'),
      moneyAvailable: f.int('moneyAvailable'),
    };
  }

  /** The terms of every bundle the account holds, ended or not, in no order. */
  async holdings(msisdn: string): Promise<BundleHolding[]> {
    return holdingsOf(await this.redis.hgetall(this.keys.account(msisdn)));
  }

  /** The bundles the account can still use at `nowMs`, with what each holds, the one ending soonest first. */
  async held(msisdn: string, nowMs: number): Promise<HeldBundle[]> {
    const [holdings, account] = await Promise.all([this.holdings(msisdn), this.store.getAccount(msisdn)]);
    return usable(holdings, nowMs).map((h) => {
      const b = account?.buckets[h.bucket];
      return { ...h, available: b?.available ?? 0, reserved: b?.reserved ?? 0, spent: b?.spent ?? 0 };
    });
  }

  /** Calendar-month bundles the account renews: bundle id -> the last month paid for. */
  async renewals(msisdn: string): Promise<Map<string, string>> {
    const raw = await this.redis.hgetall(this.keys.account(msisdn));
    const out = new Map<string, string>();
    for (const [field, value] of Object.entries(raw)) {
      if (field.startsWith('renew:')) out.set(field.slice('renew:'.length), value);
    }
    return out;
  }

  /** Stops renewing a calendar-month bundle; what is held stays until it ends. */
  async stopRenewal(msisdn: string, bundleId: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.account(msisdn), `renew:${bundleId}`)) === 1;
  }

  /** Clears the account's ended bundles (units left are written off in the ledger). */
  async expire(msisdn: string, nowMs: number): Promise<ExpiredBundles> {
    const account = this.store.keys.account(msisdn);
    const reply = await this.redis.ocsExpireBundles(
      account.account,
      account.ledger,
      this.keys.account(msisdn),
      String(nowMs),
      String(this.ledgerMaxLen),
    );
    const f = unwrap(reply);
    const flat = f.list('expired');
    const expired: ExpiredBundles['expired'] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      expired.push({ bucket: String(flat[i]), units: Number(flat[i + 1]) });
    }
    if ((await this.redis.exists(this.keys.account(msisdn))) === 0) {
      await this.redis.srem(this.keys.holders(), msisdn);
    }
    if (expired.length > 0) await this.announce(msisdn);
    return { expired, held: f.list('held').map(String) };
  }

  /** Every instance's cached holdings of the account are dropped (holdings-cache.ts). */
  private async announce(msisdn: string): Promise<void> {
    await this.redis.publish(CONFIG_CHANNEL, bundleChangeMessage(this.keys.prefix, msisdn));
  }
}

/** The bundle entries of a `bundles:{m}` hash. */
export function holdingsOf(raw: Record<string, string>): BundleHolding[] {
  const out: BundleHolding[] = [];
  for (const [field, value] of Object.entries(raw)) {
    const parsed = parseBundleBucket(field);
    if (!parsed) continue;
    // The bucket's name is what the balance scripts go by: its end is the one that counts.
    out.push({ ...(JSON.parse(value) as BundleTerms), bucket: field, endsAtMs: parsed.endsAtMs });
  }
  return out;
}

/** The holdings not ended at `nowMs`, the one ending soonest first (then by bucket name, for a stable order). */
export function usable<T extends { bucket: string; endsAtMs: number }>(
  holdings: readonly T[],
  nowMs: number,
): T[] {
  return holdings
    .filter((h) => h.endsAtMs > nowMs)
    .sort((a, b) => a.endsAtMs - b.endsAtMs || (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}
