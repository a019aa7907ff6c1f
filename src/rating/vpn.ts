import type { Activation, Membership, Package } from '../vpn/model.js';
import { freeLevelBucket } from '../vpn/model.js';
import { rateByTariff, type RatingContext } from './tariff.js';
import { MONEY_BUCKET, RatingError, type Rating, type Tariff, type Tier } from './types.js';

/** A party of a call as VPN rating sees it. */
export interface Party {
  msisdn: string;
  memberships: readonly Membership[];
  /** The party's VPN function, if it ever activated one. */
  activation?: Activation | undefined;
}

export interface VpnRatingInput {
  kind: 'voice' | 'sms';
  /** The leg being charged: originating charges the caller, terminating the called party. */
  leg: 'originating' | 'terminating';
  /** The charged party (the Subscription-Id). */
  served: Party;
  /** The other party, its number already resolved from a short number. */
  other: Party;
  packages: ReadonlyMap<string, Package>;
  /** The served account's plain prepaid tariff, for calls without preference. */
  tariff: Tariff;
  /** When the leg is rated, for the tariff's time bands; the other party is `other`. */
  when: Omit<RatingContext, 'otherParty'>;
}

export interface VpnRating extends Rating {
  /** The group whose preference applied, when one did. */
  group?: string;
}

/**
 * VPN valid user (ZTE FIG. 4, S401-S402): a member whose VPN function is active. Only a
 * belonging member can activate one, so the function is looked at for belonging memberships.
 */
export function preferentialGroup(
  served: Party,
  other: Party,
  pkg: Package | undefined,
  item: 'intra-group-voice' | 'intra-group-sms',
): string | undefined {
  if (!pkg || served.activation?.status !== 'active' || !pkg.items.includes(item)) return undefined;
  const otherGroups = new Set(other.memberships.map((m) => m.group));
  // The preference matrix of DESIGN §3: a leg enjoys it when its own party belongs to a group
  // the other party is in (belonging or joining); a joining party never does on its own leg.
  return served.memberships.find((m) => m.identity === 'belongs' && otherGroups.has(m.group))?.group;
}

/**
 * Rates a voice or SMS leg (ZTE FIG. 4): by the served party's VPN package levels when the
 * call is preferential for it, else by the plain prepaid tariff. Free levels come first, each
 * with its own bucket, then payment levels on money; a package without a payment level falls
 * back to the tariff's price once its free credit is spent, so a call never stops at the end
 * of its free minutes while money remains (when the tariff has no price for the service, the
 * free levels are all there is). The tariff is only consulted when it is needed: a leg the
 * package prices is never refused for a price the tariff lacks.
 */
export function rateVpn(input: VpnRatingInput): VpnRating {
  const { served, other, kind, leg, tariff } = input;
  const service = kind === 'voice' ? ({ kind: 'voice', role: leg } as const) : ({ kind: 'sms' } as const);
  const pps = () => rateByTariff(tariff, service, { ...input.when, otherParty: other.msisdn });
  const pkg = served.activation ? input.packages.get(served.activation.package) : undefined;
  const group = preferentialGroup(
    served,
    other,
    pkg,
    kind === 'voice' ? 'intra-group-voice' : 'intra-group-sms',
  );
  if (!pkg || !group) return pps();
  if (kind === 'sms') {
    return {
      tiers: [{ bucket: MONEY_BUCKET, unitSize: 1, pricePerUnit: pkg.smsPricePerMessage }],
      level: `vpn:${pkg.id}:sms`,
      group,
    };
  }
  const tiers: Tier[] = pkg.levels.map((level, i): Tier => {
    if (level.type === 'payment')
      return { bucket: MONEY_BUCKET, unitSize: level.unitSeconds, pricePerUnit: level.pricePerUnit };
    if ('creditSeconds' in level) {
      return {
        bucket: freeLevelBucket(pkg.id, i),
        unitSize: level.unitSeconds,
        pricePerUnit: level.unitSeconds,
      };
    }
    return {
      bucket: freeLevelBucket(pkg.id, i),
      unitSize: level.unitSeconds,
      pricePerUnit: level.pricePerUnit,
    };
  });
  if (!pkg.levels.some((l) => l.type === 'payment')) {
    try {
      tiers.push(...pps().tiers);
    } catch (err) {
      if (!(err instanceof RatingError)) throw err;
    }
  }
  return { tiers, level: `vpn:${pkg.id}`, group };
}
