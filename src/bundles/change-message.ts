/**
 * The CONFIG_CHANNEL message saying an account's bundles changed (DESIGN §5): every instance
 * drops its cached holdings of that account on hearing it (holdings-cache.ts).
 */
export function bundleChangePrefix(keyPrefix: string): string {
  return `${keyPrefix}bundles:`;
}

export function bundleChangeMessage(keyPrefix: string, msisdn: string): string {
  return `${bundleChangePrefix(keyPrefix)}${msisdn}`;
}
