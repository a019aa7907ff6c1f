import { adminContext, type AdminContext } from '../admin/context.js';
import { AdminError, toAdminError } from '../admin/errors.js';
import { BalanceError } from '../balance/index.js';
import { TariffCatalog } from '../catalog/tariffs.js';
import { SessionKeys } from '../credit-control/keys.js';
import { connectRedis } from '../redis/connect.js';
import { VpnError } from '../vpn/errors.js';
import { commandTriggers } from './network-triggers.js';
import { requiredRedisUrl, type RedisNeeds } from './redis-needs.js';

/**
 * Runs an operator command on the Redis the servers use, with the same services as the admin
 * API, so that a task done by hand follows the API's rules. A refusal (an unknown account, a
 * reference used for another amount) is printed as the API words it, exit code 1.
 */
export async function withAdmin(
  needs: RedisNeeds,
  command: string,
  fn: (ctx: AdminContext) => Promise<number>,
): Promise<number> {
  const redis = connectRedis(await requiredRedisUrl(needs, `for ocs ${command}`));
  try {
    // A top-up or a block by hand reaches the sessions as one through the API would.
    const network = commandTriggers(redis);
    const ctx = adminContext({
      redis,
      keyPrefix: '',
      catalog: new TariffCatalog(redis),
      sessionKeys: new SessionKeys(),
      network,
    });
    return await fn(ctx);
  } catch (err) {
    if (err instanceof AdminError || err instanceof VpnError || err instanceof BalanceError) {
      const refusal = toAdminError(err);
      console.error(`ocs ${command}: ${refusal.code}: ${refusal.message}`);
      return 1;
    }
    throw err;
  } finally {
    redis.disconnect();
  }
}
