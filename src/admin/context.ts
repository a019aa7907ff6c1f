import type { Cluster, Redis } from 'ioredis';
import { BalanceStore } from '../balance/index.js';
import type { TariffCatalog } from '../catalog/tariffs.js';
import { CdrWriter } from '../credit-control/cdr.js';
import type { SessionKeys } from '../credit-control/keys.js';
import { chargingSettings } from '../credit-control/settings.js';
import { SessionStore } from '../credit-control/sessions.js';
import type { NetworkTriggers } from '../network-requests/triggers.js';
import { VpnRegistry } from '../vpn/registry.js';
import { AccountService } from './accounts.js';
import { ADMIN_OP_TTL_SECONDS, CreditService } from './credits.js';
import { AdminKeys } from './keys.js';

/** What the routes of /v1 (and the `ocs` commands) work with. */
export interface AdminContext {
  redis: Redis | Cluster;
  /** Operation ids live ADMIN_OP_TTL_SECONDS, for references of top-ups and refunds. */
  store: BalanceStore;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
  sessions: SessionStore;
  cdrs: CdrWriter;
  vpn: VpnRegistry;
  accounts: AccountService;
  credits: CreditService;
  /** RARs and ASRs for the sessions of accounts changed here; undefined: none are sent. */
  network: NetworkTriggers | undefined;
  now(): number;
}

export interface AdminContextOptions {
  redis: Redis | Cluster;
  /** Key prefix of every store (tests isolate themselves with it). */
  keyPrefix: string;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
  sessions?: SessionStore;
  /** Default: a reader of the same streams (the admin side writes no CDR). */
  cdrs?: CdrWriter;
  network?: NetworkTriggers;
  now?: () => number;
}

/**
 * Builds the admin side on a Redis connection. Its balance store is its own, over the same keys
 * as the charging service's, and differs only in how long it remembers operation ids: the
 * service's bridge a crash within a request, a top-up reference must outlive a client's retries.
 */
export function adminContext(options: AdminContextOptions): AdminContext {
  const { redis, keyPrefix, catalog, sessionKeys } = options;
  const now = options.now ?? Date.now;
  const store = new BalanceStore({ redis, keyPrefix, opTtlSeconds: ADMIN_OP_TTL_SECONDS });
  const vpn = new VpnRegistry({ redis, keyPrefix, store });
  const keys = new AdminKeys(keyPrefix);
  return {
    redis,
    store,
    catalog,
    sessionKeys,
    sessions: options.sessions ?? new SessionStore(redis, sessionKeys),
    cdrs: options.cdrs ?? new CdrWriter(redis, sessionKeys, chargingSettings().cdrMaxLen),
    vpn,
    accounts: new AccountService({
      redis,
      store,
      catalog,
      sessionKeys,
      vpn,
      keys,
      now,
      network: options.network,
    }),
    credits: new CreditService({ redis, store, keys, now, network: options.network }),
    network: options.network,
    now,
  };
}
