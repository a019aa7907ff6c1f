import type { Cluster, Redis } from 'ioredis';
import type { BalanceStore } from '../balance/index.js';
import { MONEY } from '../balance/index.js';
import { validUntilEpochSeconds } from '../catalog/schema.js';
import type { TariffCatalog } from '../catalog/tariffs.js';
import type { SessionKeys } from '../credit-control/keys.js';
import { VpnRegistry } from '../vpn/registry.js';
import { AccountBundles } from '../bundles/account-bundles.js';
import { BundleCatalog } from '../bundles/catalog.js';
import {
  applyBundleSection,
  loadBundleContext,
  type BundleProvisioningDeps,
  type BundleProvisioningSummary,
} from './bundles.js';
import { checkDocument, parseDocumentShape } from './document.js';
import { applyVpnSection, emptyVpnContext, loadVpnContext, type VpnProvisioningSummary } from './vpn.js';

export interface ProvisioningDeps {
  redis: Redis | Cluster;
  store: BalanceStore;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
  /** Default: a registry on `redis` with the store's key prefix. */
  vpn?: VpnRegistry;
}

export interface ProvisioningSummary {
  tariffs: number;
  accountsCreated: number;
  accountsUpdated: number;
  /** Present when the document has a vpn section. */
  vpn?: VpnProvisioningSummary;
  /** Present when the document sells bundles or gives accounts some. */
  bundles?: BundleProvisioningSummary;
}

/**
 * Applies a provisioning document after checking all of it, against what is already
 * provisioned too. Safe to run again: tariffs and account attributes are set, while an opening
 * balance counts only when the account is created (a second run never tops up); members
 * registered with the same details and activations in place are left alone (no fee twice).
 * The VPN section is applied last, once its accounts exist; `nowMs` is the time of its fees.
 */
export async function provision(
  deps: ProvisioningDeps,
  text: string,
  nowMs = Date.now(),
): Promise<ProvisioningSummary> {
  const provisioned = await deps.catalog.list();
  const known = new Set(provisioned.map((t) => t.id));
  const doc = parseDocumentShape(text);
  const vpn = doc.vpn
    ? (deps.vpn ??
      new VpnRegistry({ redis: deps.redis, keyPrefix: deps.store.keys.prefix, store: deps.store }))
    : undefined;
  const vpnContext =
    vpn && doc.vpn ? await loadVpnContext(vpn, deps.store, doc.vpn, nowMs) : emptyVpnContext(nowMs);
  const bundles: BundleProvisioningDeps = {
    store: deps.store,
    catalog: new BundleCatalog(deps.redis, deps.store.keys.prefix),
    accountBundles: new AccountBundles(deps.redis, deps.store),
    tariffs: provisioned,
  };
  const hasBundles = doc.bundles.length > 0 || doc.accounts.some((a) => a.bundles.length > 0);
  const bundleContext = hasBundles ? await loadBundleContext(bundles, doc, nowMs) : undefined;
  checkDocument(doc, known, vpnContext, bundleContext);
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
  if (hasBundles) summary.bundles = await applyBundleSection(bundles, doc, nowMs);
  if (vpn && doc.vpn) summary.vpn = await applyVpnSection(vpn, doc.vpn, nowMs);
  return summary;
}
