import { provision } from '../provisioning/apply.js';
import { parseDocumentShape, readDocumentFile } from '../provisioning/document.js';
import { connectRedis } from '../redis/connect.js';
import { commandTriggers } from './network-triggers.js';
import { provisioningDeps } from './provisioning-deps.js';
import { requiredRedisUrl, type RedisNeeds } from './redis-needs.js';

/** Applies the document at `file` to the Redis named, and prints what it did. */
export async function provisionFile(file: string, needs: RedisNeeds): Promise<number> {
  const redis = connectRedis(await requiredRedisUrl(needs, 'to provision'));
  try {
    const text = readDocumentFile(file);
    const summary = await provision(provisioningDeps(redis), text);
    // Accounts it blocked or reported lost, packages it activated now: their sessions are told.
    const doc = parseDocumentShape(text);
    const activated = (doc.vpn?.activations ?? []).filter((a) => a.when === 'immediate').map((a) => a.msisdn);
    await commandTriggers(redis).provisioned(doc.accounts, activated);
    console.log(
      `provisioned ${file}: ${summary.tariffs} tariffs, ${summary.accountsCreated} accounts created, ${summary.accountsUpdated} updated`,
    );
    return 0;
  } finally {
    redis.disconnect();
  }
}
