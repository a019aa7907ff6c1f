import type { TariffCatalog } from '../catalog/tariffs.js';
import type { VpnDirectory } from '../vpn/cache.js';
import type { Membership } from '../vpn/model.js';
import { withBundles, type BundleHolding } from './bundle-tiers.js';
import { rateLeg } from './leg.js';
import { rateByTariff, type RatingContext } from './tariff.js';
import { dialledNumber, type NumberingPlan } from './numbering.js';
import { resolveOtherParty, shortNumberGroups } from './short-numbers.js';
import { RatingError, type ChargedService, type Rating } from './types.js';
import type { VpnRating } from './vpn.js';

const NONE: readonly Membership[] = Object.freeze([]);

/** An account's bundles, for rating (src/bundles/account-bundles.ts). */
export interface BundleSource {
  /** The bundles the account holds, ended ones included: rating leaves out those ended at the time rated. */
  holdings(msisdn: string): Promise<readonly BundleHolding[]>;
  /**
   * Starts a read of the account's bundles hash made by another command (authenticate, on
   * CCR-I); the callback keeps what it found for `holdings`, unless a change came meanwhile.
   */
  reading?(msisdn: string): (raw: Readonly<Record<string, string>>) => void;
}

/** A leg to rate, as credit control knows it. */
export interface Call {
  /** The charged party's MSISDN. */
  served: string;
  service: ChargedService;
  /** The other party as signalled: the called party of an originating leg, the caller of a terminating one. */
  otherAddress?: string | undefined;
  /** When the leg is rated and, for data, where the session is (DESIGN §3, Time bands). */
  when: Omit<RatingContext, 'otherParty'>;
}

/** A call after the VPN logic: its other party found, a short number resolved. */
export interface ResolvedCall extends Call {
  otherParty?: string | undefined;
  servedMemberships: readonly Membership[];
}

/**
 * The rating step of credit control, in the order of the Huawei flow (DESIGN §2): `resolve`
 * runs the VPN logic (short-number resolution and VPN authentication, which may refuse the
 * call) before the prepaid check; `rate` then prices the leg under the account's tariff.
 */
export interface Rater {
  resolve(call: Call): Promise<ResolvedCall>;
  rate(call: ResolvedCall, tariffId: string): Promise<Rating>;
  /** BundleSource.reading of the rater's bundles, when it rates with bundles. */
  bundlesReading?(msisdn: string): ((raw: Readonly<Record<string, string>>) => void) | undefined;
}

/**
 * Loads the rating data of a call (tariffs from the catalog, VPN memberships, activations,
 * packages and short numbers from the cached directory) and hands it to the pure rating
 * functions: the one place where rating touches I/O.
 */
export class DirectoryRater implements Rater {
  constructor(
    private readonly catalog: TariffCatalog,
    private readonly directory: VpnDirectory,
    private readonly numbering: NumberingPlan,
    private readonly bundles?: BundleSource,
  ) {}

  bundlesReading(msisdn: string): ((raw: Readonly<Record<string, string>>) => void) | undefined {
    return this.bundles?.reading?.(msisdn);
  }

  async resolve(call: Call): Promise<ResolvedCall> {
    // Data is never VPN: nothing to resolve.
    if (call.service.kind === 'data')
      return { served: call.served, service: call.service, when: call.when, servedMemberships: NONE };
    const servedMemberships = await this.directory.memberships(call.served);
    const dialled = call.otherAddress === undefined ? undefined : dialledNumber(call.otherAddress);
    if (!dialled) return { ...call, servedMemberships };
    const groups = shortNumberGroups(dialled, servedMemberships);
    const resolved = new Map<string, string | undefined>();
    for (const group of groups) {
      const long = await this.directory.resolveShortNumber(group, dialled.digits);
      resolved.set(group, long);
      if (long) break;
    }
    const otherParty = resolveOtherParty({
      served: call.served,
      leg: call.service.kind === 'voice' ? call.service.role : 'originating',
      dialled,
      servedMemberships,
      resolved,
      numbering: this.numbering,
    });
    return { ...call, otherParty, servedMemberships };
  }

  /**
   * The leg's rating, with the account's bundles in front of money (DESIGN §3, Bundles) unless
   * the call is VPN-preferential: the package alone rates those, as it did before bundles.
   */
  async rate(call: ResolvedCall, tariffId: string): Promise<Rating> {
    const rating = await this.rateWithoutBundles(call, tariffId);
    if (!this.bundles || (rating as VpnRating).group !== undefined) return rating;
    return withBundles(rating, call.service, await this.bundles.holdings(call.served), call.when.atMs);
  }

  private async rateWithoutBundles(call: ResolvedCall, tariffId: string): Promise<Rating> {
    const tariff = await this.catalog.get(tariffId);
    if (!tariff)
      throw new RatingError(
        `account ${call.served} has tariff ${tariffId || '(none)'}, which does not exist`,
      );
    // Data, or a leg without another party: the tariff alone prices it.
    if (call.service.kind === 'data' || call.otherParty === undefined)
      return rateByTariff(tariff, call.service, call.when);
    const [activation, otherMemberships, packages] = await Promise.all([
      this.directory.activation(call.served),
      this.directory.memberships(call.otherParty),
      this.directory.packages(),
    ]);
    return rateLeg(call.service, {
      tariff,
      served: { msisdn: call.served, memberships: call.servedMemberships, activation },
      other: { msisdn: call.otherParty, memberships: otherMemberships },
      packages,
      when: call.when,
    });
  }
}
