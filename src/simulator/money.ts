import type { TariffDocument } from '../catalog/schema.js';
import { mostCharged, PackageCallers } from './package-calls.js';
import type { Service } from './requests.js';

/** The parties of a voice call, as the simulator wrote them in IMS-Information. */
export interface VoiceCall {
  /** Called-Party-Address. */
  called: string;
  /** Dialled as a VPN short number (the scenario's `vpn`). */
  vpn: boolean;
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
  ) {}

  /** The price of `units` used in one report (originating voice, SMS, or a data rating group). */
  cost(service: Service, ratingGroup: number, units: number): number {
    if (units <= 0) return 0;
    const t = this.tariff;
    switch (service) {
      case 'voice':
        return t.voice ? Math.ceil(units / t.voice.unitSeconds) * t.voice.pricePerUnit : 0;
      case 'sms':
        return t.sms ? units * t.sms.pricePerMessage : 0;
      case 'data': {
        const rg = t.data?.ratingGroups[String(ratingGroup)];
        return rg ? Math.ceil(units / rg.unitOctets) * rg.pricePerUnit : 0;
      }
    }
  }

  /** One usage report of `msisdn` the server accepted; `call` for a voice call's parties. */
  add(msisdn: string, service: Service, ratingGroup: number, units: number, call?: VoiceCall): void {
    const c = this.cost(service, ratingGroup, units);
    this.reports++;
    if (call?.vpn) this.vpn += c;
    else this.total += c;
    if (!this.packages.has(msisdn)) return;
    const m = this.members;
    const tiers = call && service === 'voice' ? this.packages.tiers(msisdn, call.called) : undefined;
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
}

/** Where sessions report the usage the server accepted. */
export interface ChargeSink {
  add(msisdn: string, service: Service, ratingGroup: number, units: number, call?: VoiceCall): void;
}

export const NO_CHARGES: ChargeSink = { add: () => undefined };
