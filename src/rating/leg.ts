import type { Package } from '../vpn/model.js';
import { rateByTariff, type RatingContext } from './tariff.js';
import type { ChargedService, Rating, Tariff } from './types.js';
import { rateVpn, type Party } from './vpn.js';

/** What rating a leg needs to know, loaded beforehand: rating itself does no I/O. */
export interface LegData {
  /** The served account's plain prepaid tariff. */
  tariff: Tariff;
  served: Party;
  /** The other party of a voice call or SMS, its number resolved; absent when none was signalled. */
  other?: Party | undefined;
  packages: ReadonlyMap<string, Package>;
  /** When the leg is rated, and for data where the session is. */
  when: Omit<RatingContext, 'otherParty'>;
}

/**
 * Rates one leg (DESIGN §3): data by the tariff's rating group, a voice call or SMS by the
 * served party's VPN package when the call is preferential for it, else by the tariff. The
 * CDR names the other party by the number it was rated as.
 */
export function rateLeg(service: ChargedService, data: LegData): Rating {
  if (service.kind === 'data' || !data.other) return rateByTariff(data.tariff, service, data.when);
  const rating = rateVpn({
    kind: service.kind,
    leg: service.kind === 'voice' ? service.role : 'originating',
    served: data.served,
    other: data.other,
    packages: data.packages,
    tariff: data.tariff,
    when: data.when,
  });
  return { ...rating, otherParty: data.other.msisdn };
}
