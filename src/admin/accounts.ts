/**
 * Accounts as the admin API and the `ocs account` command see them: created in the shape of
 * the provisioning document (DESIGN §6), read with every bucket and the VPN state, and changed
 * attribute by attribute. Balances never change here: money moves only by top-ups, refunds and
 * charging (see credits.ts).
 */
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import type { AccountView, BalanceStore, BucketView } from '../balance/index.js';
import { MONEY } from '../balance/index.js';
import { accountSchema, validUntilEpochSeconds } from '../catalog/schema.js';
import type { TariffCatalog } from '../catalog/tariffs.js';
import type { SessionKeys } from '../credit-control/keys.js';
import type { Activation, Membership } from '../vpn/model.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';
import type { VpnRegistry } from '../vpn/registry.js';
import { AdminError } from './errors.js';
import type { AdminKeys } from './keys.js';
import { withLock } from './lock.js';
import { parseBody } from './schemas.js';

/** An account as the API returns it. */
export interface AccountResource {
  msisdn: string;
  status: AccountView['status'];
  prepaid: boolean;
  tariff: string;
  currency: string;
  /** Last valid day (UTC), as the provisioning document writes it; null: no limit. */
  validUntil: string | null;
  /** The instant the account expires; null: no limit. */
  expiresAt: string | null;
  minThreshold: number;
  /** `money` and every other bucket (free credits of VPN package levels: `vpn:<package>:L<n>`). */
  buckets: Record<string, BucketView>;
  /** Month ('YYYY-MM') of each free-credit bucket's last reset. */
  resetPeriods: Record<string, string>;
  vpn: { memberships: Membership[]; activation: Activation | null };
}

/** What PATCH /v1/accounts/{msisdn} may change; balances are not among them. */
export const accountPatchSchema = z
  .object({
    status: z.enum(['active', 'blocked', 'lost']).optional(),
    prepaid: z.boolean().optional(),
    tariff: z.string().min(1).optional(),
    /** null: no limit. */
    validUntil: accountSchema.shape.validUntil.unwrap().nullable().optional(),
    minThreshold: accountSchema.shape.minThreshold.unwrap().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one attribute to change');

export type AccountPatch = z.output<typeof accountPatchSchema>;

export interface AccountServiceDeps {
  redis: Redis | Cluster;
  store: BalanceStore;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
  vpn: VpnRegistry;
  keys: AdminKeys;
  now(): number;
  /** Told of each change, so that the sessions of an account blocked or lost are aborted (ASR). */
  network?: NetworkTriggers | undefined;
}

/** The last valid day of an expiry at `epochSeconds` (the inverse of validUntilEpochSeconds). */
export function lastValidDay(epochSeconds: number): string | null {
  return epochSeconds > 0 ? new Date(epochSeconds * 1000 - 1).toISOString().slice(0, 10) : null;
}

export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /**
   * Creates an account from its provisioning-document shape, with its opening balance and its
   * other identities. Refused: ACCOUNT_EXISTS, UNKNOWN_TARIFF, ALIAS_TAKEN, VALIDATION_FAILED.
   */
  async create(body: unknown): Promise<AccountResource> {
    const doc = parseBody(accountSchema, body);
    const { store, catalog, keys, redis } = this.deps;
    await withLock(redis, keys.accountLock(doc.msisdn), async () => {
      if (await store.getAccount(doc.msisdn)) {
        throw new AdminError(
          'ACCOUNT_EXISTS',
          `account ${doc.msisdn} exists already; change it with PATCH /v1/accounts/${doc.msisdn}`,
        );
      }
      const tariff = await catalog.get(doc.tariff);
      if (!tariff) throw unknownTariff(doc.tariff);
      // The identities first: one left behind by a failure names a number without an account,
      // which answers as an unknown user, as it would without it.
      await this.claimAliases(doc.msisdn, { imsi: doc.imsi, nai: doc.nai });
      await store.upsertAccount(
        {
          msisdn: doc.msisdn,
          status: doc.status,
          prepaid: doc.prepaid,
          validUntil: validUntilEpochSeconds(doc.validUntil),
          minThreshold: doc.minThreshold,
          tariff: doc.tariff,
          currency: tariff.currency,
          buckets: { [MONEY]: doc.balance },
        },
        this.deps.now(),
      );
    });
    return this.show(doc.msisdn);
  }

  /** The account, its buckets and its VPN state. Refused: ACCOUNT_NOT_FOUND. */
  async show(msisdn: string): Promise<AccountResource> {
    const [account, memberships, activation] = await Promise.all([
      this.deps.store.getAccount(msisdn),
      this.deps.vpn.memberships(msisdn),
      this.deps.vpn.activation(msisdn),
    ]);
    if (!account) throw accountNotFound(msisdn);
    return {
      msisdn: account.msisdn,
      status: account.status,
      prepaid: account.prepaid,
      tariff: account.tariff,
      currency: account.currency,
      validUntil: lastValidDay(account.validUntil),
      expiresAt: account.validUntil > 0 ? new Date(account.validUntil * 1000).toISOString() : null,
      minThreshold: account.minThreshold,
      buckets: account.buckets,
      resetPeriods: account.resetPeriods,
      vpn: { memberships, activation: activation ?? null },
    };
  }

  /**
   * Changes attributes: status (block, report lost, unblock), tariff, validity, minimum
   * threshold, prepaid. Balances, reservations and the ledger are left as they are. Refused:
   * ACCOUNT_NOT_FOUND, UNKNOWN_TARIFF, CURRENCY_MISMATCH, POSTPAID_MEMBER, VALIDATION_FAILED.
   */
  async update(msisdn: string, body: unknown): Promise<AccountResource> {
    const patch = parseBody(accountPatchSchema, body);
    const { store, catalog, keys, redis, vpn } = this.deps;
    let statusBefore = '';
    await withLock(redis, keys.accountLock(msisdn), async () => {
      const account = await store.getAccount(msisdn);
      if (!account) throw accountNotFound(msisdn);
      statusBefore = account.status;
      let currency = account.currency;
      if (patch.tariff !== undefined && patch.tariff !== account.tariff) {
        const tariff = await catalog.get(patch.tariff);
        if (!tariff) throw unknownTariff(patch.tariff);
        if (account.currency && tariff.currency !== account.currency) {
          throw new AdminError(
            'CURRENCY_MISMATCH',
            `tariff ${patch.tariff} is in ${tariff.currency}, account ${msisdn} holds ${account.currency}`,
          );
        }
        currency = tariff.currency;
      }
      if (patch.prepaid === false && account.prepaid) {
        const belongs = (await vpn.memberships(msisdn)).find((m) => m.identity === 'belongs');
        if (belongs) {
          throw new AdminError(
            'POSTPAID_MEMBER',
            `${msisdn} belongs to VPN group ${belongs.group}, which only a prepaid account may: unregister it first (it may join instead)`,
          );
        }
      }
      await store.upsertAccount(
        {
          msisdn,
          status: patch.status ?? account.status,
          prepaid: patch.prepaid ?? account.prepaid,
          validUntil:
            patch.validUntil === undefined
              ? account.validUntil
              : validUntilEpochSeconds(patch.validUntil ?? undefined),
          minThreshold: patch.minThreshold ?? account.minThreshold,
          tariff: patch.tariff ?? account.tariff,
          currency,
        },
        this.deps.now(),
      );
    });
    const status = patch.status;
    if (status)
      await this.deps.network?.accountChanged(msisdn, { status: statusBefore }, { status }, 'status');
    return this.show(msisdn);
  }

  /** Points each identity at the account; refuses, taking back what it set, if one names another. */
  private async claimAliases(
    msisdn: string,
    aliases: { imsi?: string | undefined; nai?: string | undefined },
  ) {
    const { redis, sessionKeys } = this.deps;
    const claimed: string[] = [];
    for (const [type, value] of Object.entries(aliases)) {
      if (value === undefined) continue;
      const key = sessionKeys.alias(type, value);
      if ((await redis.set(key, msisdn, 'NX')) === 'OK') {
        claimed.push(key);
        continue;
      }
      const owner = await redis.get(key);
      if (owner !== null && owner !== msisdn) {
        // One key a command: identities are in different Redis Cluster slots.
        for (const k of claimed) await redis.del(k);
        throw new AdminError('ALIAS_TAKEN', `${type} ${value} already names account ${owner}`);
      }
    }
  }
}

export function accountNotFound(msisdn: string): AdminError {
  return new AdminError('ACCOUNT_NOT_FOUND', `no account ${msisdn}`);
}

function unknownTariff(id: string): AdminError {
  return new AdminError('UNKNOWN_TARIFF', `no tariff ${id}; create it with PUT /v1/tariffs/${id}`);
}
