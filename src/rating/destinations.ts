/**
 * Destinations (DESIGN §3): the called number, in international form without '+', is matched
 * against the tariff's prefixes and the longest prefix wins, so '8610' (Beijing) is found
 * before '86' (national) for 8610 numbers.
 */
export interface Destination {
  prefix: string;
  name: string;
  barred?: boolean | undefined;
}

export function destinationOf<D extends Destination>(
  destinations: readonly D[] | undefined,
  number: string | undefined,
): D | undefined {
  if (!destinations || !number) return undefined;
  let best: D | undefined;
  for (const d of destinations) {
    if (number.startsWith(d.prefix) && (!best || d.prefix.length > best.prefix.length)) best = d;
  }
  return best;
}
