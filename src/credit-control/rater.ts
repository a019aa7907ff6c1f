import type { TariffCatalog } from '../catalog/tariffs.js';
import { rateByTariff } from '../rating/tariff.js';
import { RatingError, type ChargedService, type Rating } from '../rating/types.js';
import type { CreditControlRequest } from './types.js';

/** What the rating step knows of a leg. */
export interface RatingInput {
  msisdn: string;
  tariffId: string;
  service: ChargedService;
  request: CreditControlRequest;
}

/** The rating step of credit control: a leg in, ordered tiers out (DESIGN §3). */
export interface Rater {
  rate(input: RatingInput): Promise<Rating>;
}

/** Rates every leg by the account's plain prepaid tariff. */
export class TariffRater implements Rater {
  constructor(private readonly catalog: TariffCatalog) {}

  async rate(input: RatingInput): Promise<Rating> {
    const tariff = await this.catalog.get(input.tariffId);
    if (!tariff)
      throw new RatingError(
        `account ${input.msisdn} has tariff ${input.tariffId || '(none)'}, which does not exist`,
      );
    return rateByTariff(tariff, input.service);
  }
}
