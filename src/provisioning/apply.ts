import type { Cluster, Redis } from 'ioredis';
import type { BalanceStore } from '../balance/index.js';
import { MONEY } from '../balance/index.js';
import { validUntilEpochSeconds } from '../catalog/schema.js';
import type { TariffCatalog } from '../catalog/tariffs.js';
import type { SessionKeys } from '../credit-control/keys.js';
import { parseDocument } from './document.js';

export interface ProvisioningDeps {
  redis: Redis | Cluster;
  store: BalanceStore;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
}

export interface ProvisioningSummary {
  tariffs: number;
  accountsCreated: number;
  accountsUpdated: number;
}

/**
 * Applies a provisioning document after checking all of it. Safe to run again: tariffs and
 * account attributes are set, while an opening balance counts only when the account is
 * created (a second run never tops up).
 */
export async function provision(deps: ProvisioningDeps, text: string): Promise<ProvisioningSummary> {
  const known = new Set((await deps.catalog.list()).map((t) => t.id));
  const doc = parseDocument(text, known);
  for (const tariff of doc.tariffs) await deps.catalog.put(tariff);
  const currencies = new Map((await deps.catalog.list()).map((t) => [t.id, t.currency]));
  const summary: ProvisioningSummary = {
    tariffs: doc.tariffs.length,
    accountsCreated: 0,
    accountsUpdated: 0,
  };
  for (const a of doc.accounts) {
    const { created } = await deps.store.upsertAccount({
      msisdn: a.msisdn,
      status: a.status,
      prepaid: a.prepaid,
      validUntil: validUntilEpochSeconds(a.validUntil),
      minThreshold: a.minThreshold,
      tariff: a.tariff,
      currency: currencies.get(a.tariff) ?? '',
      buckets: { [MONEY]: a.balance },
    });
    if (a.imsi) await deps.redis.set(deps.sessionKeys.alias('imsi', a.imsi), a.msisdn);
    if (a.nai) await deps.redis.set(deps.sessionKeys.alias('nai', a.nai), a.msisdn);
    if (created) summary.accountsCreated++;
    else summary.accountsUpdated++;
  }
  return summary;
}
