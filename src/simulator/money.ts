import type { TariffDocument } from '../catalog/schema.js';
import type { Service } from './requests.js';

/**
 * What the server should have charged, by the scenario's tariff: every usage report the server
 * accepted costs its started units in full (DESIGN §6), as the balance store charges them.
 * VPN calls are summed apart: a VPN package may price them differently.
 */
export class ExpectedMoney {
  total = 0;
  vpn = 0;
  reports = 0;

  constructor(private readonly tariff: TariffDocument) {}

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

  add(service: Service, ratingGroup: number, units: number, vpn = false): void {
    const c = this.cost(service, ratingGroup, units);
    this.reports++;
    if (vpn) this.vpn += c;
    else this.total += c;
  }
}

/** Where sessions report the usage the server accepted. */
export interface ChargeSink {
  add(service: Service, ratingGroup: number, units: number, vpn?: boolean): void;
}

export const NO_CHARGES: ChargeSink = { add: () => undefined };
