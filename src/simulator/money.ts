import type { TariffDocument } from '../catalog/schema.js';
import { dialledNumber } from '../rating/numbering.js';
import { priceOf, rateByTariff } from '../rating/tariff.js';
import { BarredDestinationError, RatingError, type ChargedService } from '../rating/types.js';
import { BundleUsage } from './bundle-usage.js';
import { mostCharged, PackageCallers } from './package-calls.js';
import type { Service } from './requests.js';

/** The parties of a voice call, as the simulator wrote them in IMS-Information. */
export interface VoiceCall {
  /** Called-Party-Address. */
  called: string;
  /** Dialled as a VPN short number (the scenario's `vpn`). */
  vpn: boolean;
}

/** What the price of a usage report depends on besides its units (DESIGN §3). */
export interface UsageContext extends Partial<VoiceCall> {
  /** Called-Station-Id of a data session. */
  apn?: string | undefined;
  /** 3GPP-SGSN-MCC-MNC of a data session's serving network. */
  sgsnMccMnc?: string | undefined;
  /** When the grant the usage was taken from was asked for: its time band. */
  atMs?: number;
}

/**
 * Usage of the accounts whose voice calls a VPN package may price (PackageCallers): the part
 * the tariff prices, and bounds for the part a package may.
 */
export interface PackagePricedUsage {
  /** What the tariff gives for the members' usage that no package prices. */
  exact: number;
  /** Voice reports a package may have priced, and their seconds. */
  reports: number;
  seconds: number;
  /** What the tariff would give for those reports (counted in `total` or `vpn` as well). */
  tariffPrice: number;
  /** The most those reports can cost in money (the package's payment levels, or the tariff). */
  moneyMax: number;
  /** The most they can take from free credits (the package's free levels' own buckets). */
  freeMax: number;
}

/**
 * What the server should have charged, by the scenario's tariff: every usage report the server
 * accepted costs its started units in full (DESIGN §6), as the balance store charges them.
 * VPN calls are summed apart: a VPN package may price them differently. The usage of the
 * `packages` callers is also summed apart (`members`): a package may price their voice calls.
 * The accounts holding `bundles` spend them first on every call that is not VPN-preferential,
 * and money only for the rest (DESIGN §3, Bundles).
 */
export class ExpectedMoney {
  total = 0;
  vpn = 0;
  reports = 0;
  readonly members: PackagePricedUsage = {
    exact: 0,
    reports: 0,
    seconds: 0,
    tariffPrice: 0,
    moneyMax: 0,
    freeMax: 0,
  };

  constructor(
    private readonly tariff: TariffDocument,
    readonly packages: PackageCallers = PackageCallers.NONE,
    readonly bundles: BundleUsage = BundleUsage.NONE,
  ) {}

  /**
   * The price of `units` used in one report (originating voice, SMS, or a data rating group),
   * by the server's own pure rating: the called number's destination, the APN and the time
   * band in force when the grant was made. With `fromBundlesOf`, that account's bundles cover
   * what they can first and the price is of the rest.
   */
  cost(
    service: Service,
    ratingGroup: number,
    units: number,
    usage: UsageContext = {},
    fromBundlesOf?: string,
  ): number {
    if (units <= 0) return 0;
    const charged: ChargedService =
      service === 'voice'
        ? { kind: 'voice', role: 'originating' }
        : service === 'sms'
          ? { kind: 'sms' }
          : { kind: 'data', ratingGroup };
    const otherParty = usage.called === undefined ? undefined : dialledNumber(usage.called)?.digits;
    try {
      const atMs = usage.atMs ?? Date.now();
      const rating = rateByTariff(this.tariff, charged, {
        atMs,
        otherParty,
        apn: usage.apn,
        sgsnMccMnc: usage.sgsnMccMnc,
      });
      return fromBundlesOf === undefined
        ? priceOf(rating, units)
        : this.bundles.charge(fromBundlesOf, rating, charged, units, atMs);
    } catch (err) {
      // What the tariff does not price (or bars) the server does not charge.
      if (err instanceof RatingError || err instanceof BarredDestinationError) return 0;
      throw err;
    }
  }

  /** One usage report of `msisdn` the server accepted; `call` for a voice call's parties. */
  add(msisdn: string, service: Service, ratingGroup: number, units: number, call?: UsageContext): void {
    const tiers =
      this.packages.has(msisdn) && call?.called !== undefined && service === 'voice'
        ? this.packages.tiers(msisdn, call.called)
        : undefined;
    let c: number;
    if (this.bundles.holds(msisdn)) {
      // A VPN-preferential call is its package's alone: bundles do not pay for it (DESIGN §3).
      const whole = this.cost(service, ratingGroup, units, call);
      c = tiers ? whole : this.cost(service, ratingGroup, units, call, msisdn);
      this.bundles.spent(msisdn, c, whole);
      // A package prices by what is left of its free credits; a short number's destination is
      // the long number the server resolves it to: neither split is the simulator's to know.
      if ((tiers || call?.vpn) && units > 0) this.bundles.bound(msisdn);
    } else {
      c = this.cost(service, ratingGroup, units, call);
    }
    this.reports++;
    if (call?.vpn) this.vpn += c;
    else this.total += c;
    if (!this.packages.has(msisdn)) return;
    const m = this.members;
    if (!tiers || units <= 0) {
      m.exact += c;
      return;
    }
    // The server rates it by the package (or by the tariff, when the activation is not active).
    m.reports++;
    m.seconds += units;
    m.tariffPrice += c;
    m.moneyMax += Math.max(c, mostCharged(tiers, units, true));
    m.freeMax += mostCharged(tiers, units, false);
  }

  opened(msisdn: string, grants: number): void {
    this.bundles.opened(msisdn, grants);
  }

  closed(msisdn: string, grants: number): void {
    this.bundles.closed(msisdn, grants);
  }
}

/** Where sessions report the usage the server accepted. */
export interface ChargeSink {
  add(msisdn: string, service: Service, ratingGroup: number, units: number, call?: UsageContext): void;
  /** A session of `msisdn` that holds up to `grants` grants at once begins, or ends. */
  opened?(msisdn: string, grants: number): void;
  closed?(msisdn: string, grants: number): void;
}

export const NO_CHARGES: ChargeSink = { add: () => undefined };
