/**
 * An account's bundles through the admin API (DESIGN §3, Bundles): what it holds, what is left
 * and until when, and buying one, idempotent by the client's reference as top-ups are (the
 * operation id is `bundle:<reference>`, remembered ADMIN_OP_TTL_SECONDS; the same reference
 * for another bundle is refused rather than answered with the first).
 */
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { BalanceError, type BalanceStore } from '../balance/index.js';
import { AccountBundles } from '../bundles/account-bundles.js';
import { BundleCatalog } from '../bundles/catalog.js';
import type { HeldBundle } from '../bundles/model.js';
import { accountNotFound } from './accounts.js';
import { ADMIN_OP_TTL_SECONDS } from './credits.js';
import { AdminError } from './errors.js';
import { AdminKeys } from './keys.js';
import { parseBody } from './schemas.js';

export const bundlePurchaseSchema = z
  .object({
    bundle: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,40}$/, 'a bundle id')
      .describe('the id of a bundle on sale'),
    reference: z
      .string()
      .regex(/^[\x21-\x7b\x7d\x7e]{1,128}$/, "1 to 128 printable ASCII characters, no spaces or '|'")
      .describe(
        `the client's own id of this purchase: remembered per account for ${ADMIN_OP_TTL_SECONDS / 86_400} days`,
      ),
  })
  .strict();

/** One bundle an account holds, as the API shows it. */
export interface BundleResource {
  bundle: string;
  bucket: string;
  service: string;
  unit: string;
  ratingGroups?: string[];
  destinations?: string[];
  /** Bought, in `unit`. */
  units: number;
  /** Usable now. */
  left: number;
  /** Frozen by sessions in progress. */
  reserved: number;
  used: number;
  startsAt: string;
  endsAt: string;
  /** Renewed by the monthly run (a calendar-month bundle still down for renewal). */
  renews: boolean;
}

export interface PurchaseResource {
  msisdn: string;
  reference: string;
  bundle: BundleResource;
  fee: number;
  /** Money available right after the purchase (a replay answers the first figure). */
  moneyAvailable: number;
  replayed: boolean;
}

function resource(h: HeldBundle, renews: boolean): BundleResource {
  return {
    bundle: h.bundle,
    bucket: h.bucket,
    service: h.service,
    unit: h.unit,
    ...(h.ratingGroups ? { ratingGroups: h.ratingGroups } : {}),
    ...(h.destinations ? { destinations: h.destinations } : {}),
    units: h.units,
    left: h.available,
    reserved: h.reserved,
    used: h.spent,
    startsAt: new Date(h.startsAtMs).toISOString(),
    endsAt: new Date(h.endsAtMs).toISOString(),
    renews,
  };
}

export interface BundleServiceDeps {
  redis: Redis | Cluster;
  /** A store whose operation ids live ADMIN_OP_TTL_SECONDS. */
  store: BalanceStore;
  now(): number;
}

export class BundleService {
  private readonly catalog: BundleCatalog;
  private readonly bundles: AccountBundles;
  private readonly keys: AdminKeys;

  constructor(private readonly deps: BundleServiceDeps) {
    this.catalog = new BundleCatalog(deps.redis, deps.store.keys.prefix);
    this.bundles = new AccountBundles(deps.redis, deps.store, { opTtlSeconds: ADMIN_OP_TTL_SECONDS });
    this.keys = new AdminKeys(deps.store.keys.prefix);
  }

  /** The bundles the account can still use, the one ending soonest first. Refused: ACCOUNT_NOT_FOUND. */
  async list(msisdn: string): Promise<{ msisdn: string; items: BundleResource[] }> {
    if (!(await this.deps.store.getAccount(msisdn))) throw accountNotFound(msisdn);
    const [held, renewals] = await Promise.all([
      this.bundles.held(msisdn, this.deps.now()),
      this.bundles.renewals(msisdn),
    ]);
    return { msisdn, items: held.map((h) => resource(h, h.calendarMonth && renewals.has(h.bundle))) };
  }

  /**
   * Buys a bundle once per reference, the fee from money. Refused: ACCOUNT_NOT_FOUND,
   * BUNDLE_NOT_FOUND, REFERENCE_REUSED, INSUFFICIENT_FUNDS (nothing charged; the same reference
   * may be tried again once the money is there).
   */
  async buy(msisdn: string, body: unknown): Promise<PurchaseResource> {
    const { bundle: id, reference } = parseBody(bundlePurchaseSchema, body);
    const { redis, store } = this.deps;
    if (!(await store.getAccount(msisdn))) throw accountNotFound(msisdn);
    const bundle = await this.catalog.get(id);
    if (!bundle) throw new AdminError('BUNDLE_NOT_FOUND', `no bundle ${id} is on sale`);

    const refKey = this.keys.reference(msisdn, 'bundle', reference);
    const claimed = (await redis.set(refKey, id, 'EX', ADMIN_OP_TTL_SECONDS, 'NX')) === 'OK';
    if (!claimed) {
      const first = await redis.get(refKey);
      if (first !== null && first !== id) {
        throw new AdminError(
          'REFERENCE_REUSED',
          `reference ${reference} bought ${first} for ${msisdn}; this asks for ${id}`,
        );
      }
    }
    const opId = `bundle:${reference}`;
    const replayed = !claimed && (await redis.exists(store.keys.operation(msisdn, opId))) === 1;
    try {
      const added = await this.bundles.add({ msisdn, bundle, opId, reference, nowMs: this.deps.now() });
      const held = (await this.bundles.held(msisdn, this.deps.now())).find((h) => h.bucket === added.bucket);
      const renewals = await this.bundles.renewals(msisdn);
      const view: BundleResource = held
        ? resource(held, held.calendarMonth && renewals.has(held.bundle))
        : {
            bundle: id,
            bucket: added.bucket,
            service: bundle.appliesTo.service,
            unit: Object.keys(bundle.units)[0]!,
            units: added.units,
            left: 0,
            reserved: 0,
            used: 0,
            startsAt: new Date(added.startsAtMs).toISOString(),
            endsAt: new Date(added.endsAtMs).toISOString(),
            renews: false,
          };
      return {
        msisdn,
        reference,
        bundle: view,
        fee: added.fee,
        moneyAvailable: added.moneyAvailable,
        replayed,
      };
    } catch (err) {
      // Refused and not remembered (no money, no account): the reference is free again. Not
      // after a lost reply, which may hide a purchase that was made.
      if (claimed && err instanceof BalanceError) await redis.del(refKey);
      throw err;
    }
  }
}
