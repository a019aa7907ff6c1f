import { BalanceStore } from '../balance/index.js';
import { TariffCatalog } from '../catalog/tariffs.js';
import { ConfigError } from '../config/config.js';
import { SessionKeys } from '../credit-control/keys.js';
import { provision as applyDocument } from '../provisioning/apply.js';
import { readDocumentFile } from '../provisioning/document.js';
import { connectRedis } from '../redis/connect.js';
import { UsageError, type Command } from './command.js';

export const provision: Command = {
  name: 'provision',
  usage: 'provision FILE',
  summary: 'load tariffs and accounts from a YAML or JSON document (needs REDIS_URL)',
  async run([file], config) {
    if (!file) throw new UsageError('ocs provision FILE: name the document to load');
    if (!config.redisUrl)
      throw new ConfigError(['REDIS_URL: required to provision (the Redis the servers use)']);
    const redis = connectRedis(config.redisUrl);
    try {
      const summary = await applyDocument(
        {
          redis,
          store: new BalanceStore({ redis }),
          catalog: new TariffCatalog(redis),
          sessionKeys: new SessionKeys(),
        },
        readDocumentFile(file),
      );
      console.log(
        `provisioned ${file}: ${summary.tariffs} tariffs, ${summary.accountsCreated} accounts created, ${summary.accountsUpdated} updated`,
      );
      return 0;
    } finally {
      redis.disconnect();
    }
  },
};
