import type { Cluster, Redis } from 'ioredis';
import { BalanceStore } from '../balance/index.js';
import { TariffCatalog } from '../catalog/tariffs.js';
import { SessionKeys } from '../credit-control/keys.js';
import type { ProvisioningDeps } from '../provisioning/apply.js';

/** What provisioning writes through on the servers' Redis, under no key prefix. */
export function provisioningDeps(redis: Redis | Cluster): ProvisioningDeps {
  return {
    redis,
    store: new BalanceStore({ redis }),
    catalog: new TariffCatalog(redis),
    sessionKeys: new SessionKeys(),
  };
}
