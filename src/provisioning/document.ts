import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { accountBundleSchema, bundleSchema } from '../catalog/bundles.js';
import { accountSchema, tariffSchema } from '../catalog/schema.js';
import { checkBundleSection, emptyBundleContext, type BundleContext } from './bundles.js';
import { checkVpnSection, emptyVpnContext, vpnSectionSchema, type VpnContext } from './vpn.js';

/** The provisioning document of DESIGN §6 (tariffs, accounts, and VPN groups, packages, activations). */
export const documentSchema = z
  .object({
    tariffs: z.array(tariffSchema).default([]),
    bundles: z.array(bundleSchema).default([]),
    accounts: z
      .array(accountSchema.extend({ bundles: z.array(accountBundleSchema).default([]) }))
      .default([]),
    vpn: vpnSectionSchema.optional(),
  })
  .strict();

export type ProvisioningDocument = z.infer<typeof documentSchema>;

/** Every problem of a document, each naming the path of the bad field. */
export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
  constructor(readonly problems: string[]) {
    super(`the document was not applied:\n  ${problems.join('\n  ')}`);
  }
}

/** `accounts[0].balance` from zod's ['accounts', 0, 'balance']. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    '',
  );
}

/**
 * Parses and checks a document: its shape, then what the shape cannot say (unique ids, known
 * tariffs, the VPN rules). `knownTariffs` are those already provisioned, `vpnContext` what the
 * VPN section touches that is already provisioned (default: nothing). Throws
 * ProvisioningError listing every problem; nothing is applied by parsing.
 */
export function parseDocument(
  text: string,
  knownTariffs: ReadonlySet<string> = new Set(),
  vpnContext: VpnContext = emptyVpnContext(),
  bundleContext: BundleContext = emptyBundleContext(),
): ProvisioningDocument {
  const doc = parseDocumentShape(text);
  checkDocument(doc, knownTariffs, vpnContext, bundleContext);
  return doc;
}

/** Parses a document and checks its shape only. Throws ProvisioningError. */
export function parseDocumentShape(text: string): ProvisioningDocument {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ProvisioningError([`not valid YAML or JSON: ${(err as Error).message}`]);
  }
  const parsed = documentSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ProvisioningError(
      parsed.error.issues.map((i) => `${formatPath(i.path) || '(document)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

/**
 * Checks what the shape of a parsed document cannot say (see parseDocument). Throws
 * ProvisioningError listing every problem.
 */
export function checkDocument(
  doc: ProvisioningDocument,
  knownTariffs: ReadonlySet<string> = new Set(),
  vpnContext: VpnContext = emptyVpnContext(),
  bundleContext: BundleContext = emptyBundleContext(),
): void {
  const problems: string[] = [];
  const tariffIds = new Set<string>();
  doc.tariffs.forEach((t, i) => {
    if (tariffIds.has(t.id)) problems.push(`tariffs[${i}].id: ${t.id} appears twice`);
    tariffIds.add(t.id);
  });
  const msisdns = new Set<string>();
  // Another identity names one subscriber: given to two accounts, the last would silently win.
  const imsis = new Set<string>();
  const nais = new Set<string>();
  doc.accounts.forEach((a, i) => {
    if (msisdns.has(a.msisdn)) problems.push(`accounts[${i}].msisdn: ${a.msisdn} appears twice`);
    msisdns.add(a.msisdn);
    if (a.imsi !== undefined) {
      if (imsis.has(a.imsi)) problems.push(`accounts[${i}].imsi: ${a.imsi} appears twice`);
      imsis.add(a.imsi);
    }
    if (a.nai !== undefined) {
      if (nais.has(a.nai)) problems.push(`accounts[${i}].nai: ${a.nai} appears twice`);
      nais.add(a.nai);
    }
    if (!tariffIds.has(a.tariff) && !knownTariffs.has(a.tariff)) {
      problems.push(`accounts[${i}].tariff: no tariff ${a.tariff} in the document or already provisioned`);
    }
  });
  if (doc.vpn) problems.push(...checkVpnSection(doc.vpn, doc.accounts, vpnContext));
  problems.push(...checkBundleSection(doc, bundleContext));
  if (problems.length) throw new ProvisioningError(problems);
}

export function readDocumentFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProvisioningError([`${path}: ${(err as Error).message}`]);
  }
}
