import { provision } from '../provisioning/apply.js';
import { readDocumentFile } from '../provisioning/document.js';
import { connectRedis } from '../redis/connect.js';
import { provisioningDeps } from './provisioning-deps.js';
import { requiredRedisUrl, type RedisNeeds } from './redis-needs.js';

/** Applies the document at `file` to the Redis named, and prints what it did. */
export async function provisionFile(file: string, needs: RedisNeeds): Promise<number> {
  const redis = connectRedis(await requiredRedisUrl(needs, 'to provision'));
  try {
    const summary = await provision(provisioningDeps(redis), readDocumentFile(file));
    console.log(
      `provisioned ${file}: ${summary.tariffs} tariffs, ${summary.accountsCreated} accounts created, ${summary.accountsUpdated} updated`,
    );
    return 0;
  } finally {
    redis.disconnect();
  }
}
