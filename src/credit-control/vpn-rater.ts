import type { TariffCatalog } from '../catalog/tariffs.js';
import { ResultCode } from '../errors/result-codes.js';
import { dialledNumber, normalise, type NumberingPlan } from '../rating/numbering.js';
import { RatingError, type Rating } from '../rating/types.js';
import { rateVpn, type Party } from '../rating/vpn.js';
import type { VpnDirectory } from '../vpn/cache.js';
import { ChargingRefusal } from './outcome.js';
import type { Rater, RatingInput } from './rater.js';
import { TariffRater } from './rater.js';

/**
 * Rating with the VPN logic first (the Huawei flow, DESIGN §2): the other party of a voice
 * call or SMS is found (a short number dialled inside a group resolved to its long number),
 * then the leg is rated by the served party's VPN package levels when the call is
 * preferential for it (ZTE FIG. 4), else by its plain prepaid tariff. Data is never VPN.
 */
export class VpnRater implements Rater {
  private readonly tariffs: TariffRater;

  constructor(
    private readonly catalog: TariffCatalog,
    private readonly directory: VpnDirectory,
    private readonly numbering: NumberingPlan,
  ) {
    this.tariffs = new TariffRater(catalog);
  }

  async rate(input: RatingInput): Promise<Rating> {
    const { service, request, msisdn } = input;
    if (service.kind === 'data') return this.tariffs.rate(input);
    const tariff = await this.catalog.get(input.tariffId);
    if (!tariff)
      throw new RatingError(
        `account ${msisdn} has tariff ${input.tariffId || '(none)'}, which does not exist`,
      );
    const leg = service.kind === 'voice' ? service.role : 'originating';
    const address =
      leg === 'originating' ? request.ims?.calledPartyAddresses[0] : request.ims?.callingPartyAddress;
    const dialled = address === undefined ? undefined : dialledNumber(address);
    const servedMemberships = await this.directory.memberships(msisdn);
    if (!dialled) return this.tariffs.rate(input);

    let other = normalise(dialled, this.numbering);
    if (!dialled.international) {
      // A number as long as the served party's short numbers is a short number of one of its
      // groups: dialled by the caller on the originating leg, or on the terminating leg the
      // caller's own, presented short (a member whose display mode is short).
      const groups = servedMemberships.filter((m) => m.shortNumber.length === dialled.digits.length);
      if (groups.length > 0) {
        let resolved: string | undefined;
        for (const m of groups) {
          resolved = await this.directory.resolveShortNumber(m.group, dialled.digits);
          if (resolved) break;
        }
        if (resolved) {
          other = resolved;
        } else if (leg === 'originating') {
          // VPN authentication (DESIGN §2) is the caller's: a called party is never refused for
          // the number it is called from.
          throw new ChargingRefusal(
            ResultCode.END_USER_SERVICE_DENIED,
            `short number ${dialled.digits} is in no VPN group of ${msisdn}`,
          );
        }
      }
    }
    const served: Party = {
      msisdn,
      memberships: servedMemberships,
      activation: await this.directory.activation(msisdn),
    };
    const otherParty: Party = { msisdn: other, memberships: await this.directory.memberships(other) };
    const rating = rateVpn({
      kind: service.kind,
      leg,
      served,
      other: otherParty,
      packages: await this.directory.packages(),
      tariff,
    });
    return { ...rating, otherParty: other };
  }
}
