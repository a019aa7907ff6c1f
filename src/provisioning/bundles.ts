/**
 * The `bundles` section of the provisioning document and each account's `bundles` (DESIGN §6):
 * the bundles on sale, and those an account is given from now. What can be known before
 * anything is written is checked here, each problem naming the path of its field: a bundle
 * named that is nowhere, a destination no tariff has, a fee the account cannot pay. Loading a
 * document again gives an account no bundle it holds already (not ended), so no fee twice.
 */
import type { BalanceStore } from '../balance/index.js';
import { MONEY } from '../balance/index.js';
import type { AccountBundles } from '../bundles/account-bundles.js';
import type { BundleCatalog } from '../bundles/catalog.js';
import type { Bundle } from '../catalog/bundles.js';

/** An account of the document, as its bundles need it. */
export interface BundleAccount {
  msisdn: string;
  balance: number;
  minThreshold: number;
  bundles: readonly { bundle: string }[];
}

/** The parts of the document the bundle rules read. */
export interface BundleDocumentParts {
  bundles: readonly Bundle[];
  accounts: readonly BundleAccount[];
  tariffs: readonly { id: string; voice?: unknown; sms?: unknown }[];
}

/** What is already provisioned that the document's bundles touch. */
export interface BundleContext {
  /** Bundles on sale already. */
  known: ReadonlyMap<string, Bundle>;
  /** Destination names of the tariffs already provisioned. */
  destinations: ReadonlySet<string>;
  /** Accounts already provisioned that the document gives bundles: money, and bundle ids held (not ended). */
  accounts: ReadonlyMap<string, { spendable: number; held: ReadonlySet<string> }>;
}

export function emptyBundleContext(): BundleContext {
  return { known: new Map(), destinations: new Set(), accounts: new Map() };
}

/** The destination names of a tariff's voice and SMS prices (DESIGN §3, Destinations). */
export function destinationNames(tariff: { voice?: unknown; sms?: unknown }): string[] {
  const names = (part: unknown): string[] => {
    const list = (part as { destinations?: unknown } | undefined)?.destinations;
    return Array.isArray(list) ? list.map((d) => String((d as { name?: unknown }).name)) : [];
  };
  return [...names(tariff.voice), ...names(tariff.sms)];
}

export interface BundleProvisioningDeps {
  store: BalanceStore;
  catalog: BundleCatalog;
  accountBundles: AccountBundles;
  /** Tariffs already provisioned. */
  tariffs: readonly { voice?: unknown; sms?: unknown }[];
}

/** Loads what the document's bundles touch that is already provisioned. */
export async function loadBundleContext(
  deps: BundleProvisioningDeps,
  doc: Pick<BundleDocumentParts, 'accounts'>,
  nowMs: number,
): Promise<BundleContext> {
  const known = new Map((await deps.catalog.list()).map((b) => [b.id, b]));
  const destinations = new Set(deps.tariffs.flatMap(destinationNames));
  const accounts = new Map<string, { spendable: number; held: ReadonlySet<string> }>();
  for (const a of doc.accounts) {
    if (a.bundles.length === 0) continue;
    const view = await deps.store.getAccount(a.msisdn);
    if (!view) continue;
    const held = await deps.accountBundles.held(a.msisdn, nowMs);
    const money = view.buckets[MONEY]?.available ?? 0;
    accounts.set(a.msisdn, {
      spendable: Math.max(0, money - view.minThreshold),
      held: new Set(held.map((h) => h.bundle)),
    });
  }
  return { known, destinations, accounts };
}

/** Every problem of the document's bundles, each naming the path of its field. */
export function checkBundleSection(doc: BundleDocumentParts, ctx: BundleContext): string[] {
  const problems: string[] = [];
  const defined = new Map<string, Bundle>(ctx.known);
  const destinations = new Set([...ctx.destinations, ...doc.tariffs.flatMap(destinationNames)]);
  const ids = new Set<string>();
  doc.bundles.forEach((b, i) => {
    if (ids.has(b.id)) problems.push(`bundles[${i}].id: ${b.id} appears twice`);
    ids.add(b.id);
    defined.set(b.id, b);
    b.appliesTo.destinations?.forEach((name, j) => {
      if (!destinations.has(name)) {
        problems.push(
          `bundles[${i}].appliesTo.destinations[${j}]: no tariff in the document or already provisioned has a destination ${name}`,
        );
      }
    });
  });
  doc.accounts.forEach((a, i) => {
    const existing = ctx.accounts.get(a.msisdn);
    let money = existing ? existing.spendable : Math.max(0, a.balance - a.minThreshold);
    const given = new Set<string>();
    a.bundles.forEach((entry, j) => {
      const path = `accounts[${i}].bundles[${j}].bundle`;
      const bundle = defined.get(entry.bundle);
      if (!bundle) {
        problems.push(`${path}: no bundle ${entry.bundle} in the document or already provisioned`);
        return;
      }
      if (given.has(entry.bundle)) {
        problems.push(`${path}: ${entry.bundle} appears twice for ${a.msisdn}`);
        return;
      }
      given.add(entry.bundle);
      if (existing?.held.has(entry.bundle)) return;
      if (bundle.fee > money) {
        problems.push(
          `${path}: the fee of ${entry.bundle}, ${bundle.fee}, is more than the ${money} ${a.msisdn} has to pay it with`,
        );
        return;
      }
      money -= bundle.fee;
    });
  });
  return problems;
}

export interface BundleProvisioningSummary {
  /** Bundles put on sale (or changed). */
  bundles: number;
  /** Bundles given to accounts now. */
  added: number;
  /** Bundles of the document the accounts held already: left alone. */
  held: number;
}

/**
 * Puts the bundles on sale, then gives each account the bundles it does not hold yet, from
 * `nowMs`, each paid from its money by its own operation (`provision:<bundle>:<nowMs>`), so a
 * document applied again at the same moment gives nothing twice.
 */
export async function applyBundleSection(
  deps: BundleProvisioningDeps,
  doc: Pick<BundleDocumentParts, 'bundles' | 'accounts'>,
  nowMs: number,
): Promise<BundleProvisioningSummary> {
  for (const b of doc.bundles) await deps.catalog.put(b);
  const summary: BundleProvisioningSummary = { bundles: doc.bundles.length, added: 0, held: 0 };
  for (const a of doc.accounts) {
    if (a.bundles.length === 0) continue;
    const held = new Set((await deps.accountBundles.held(a.msisdn, nowMs)).map((h) => h.bundle));
    for (const { bundle: id } of a.bundles) {
      if (held.has(id)) {
        summary.held++;
        continue;
      }
      const bundle = await deps.catalog.get(id);
      if (!bundle) throw new Error(`bundle ${id} vanished while the document was applied`);
      await deps.accountBundles.add({ msisdn: a.msisdn, bundle, opId: `provision:${id}:${nowMs}`, nowMs });
      summary.added++;
    }
  }
  return summary;
}
