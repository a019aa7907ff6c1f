import { MONEY_BUCKET, RatingError, type ChargedService, type Rating, type Tariff } from './types.js';

/**
 * Rates a leg by the account's plain prepaid tariff: one money tier per service. A service
 * the tariff does not price cannot be rated (the caller answers 5031 RATING_FAILED).
 */
export function rateByTariff(tariff: Tariff, service: ChargedService): Rating {
  switch (service.kind) {
    case 'voice': {
      if (!tariff.voice) throw new RatingError(`tariff ${tariff.id} has no voice price`);
      const { unitSeconds, pricePerUnit, terminatingPricePerUnit = 0 } = tariff.voice;
      const originating = service.role === 'originating';
      return {
        tiers: [
          {
            bucket: MONEY_BUCKET,
            unitSize: unitSeconds,
            pricePerUnit: originating ? pricePerUnit : terminatingPricePerUnit,
          },
        ],
        level: `pps:${tariff.id}:voice-${originating ? 'mo' : 'mt'}`,
      };
    }
    case 'sms':
      if (!tariff.sms) throw new RatingError(`tariff ${tariff.id} has no SMS price`);
      return {
        tiers: [{ bucket: MONEY_BUCKET, unitSize: 1, pricePerUnit: tariff.sms.pricePerMessage }],
        level: `pps:${tariff.id}:sms`,
      };
    case 'data': {
      const price = tariff.data?.ratingGroups[String(service.ratingGroup)];
      if (!price)
        throw new RatingError(`tariff ${tariff.id} has no price for rating group ${service.ratingGroup}`);
      return {
        tiers: [{ bucket: MONEY_BUCKET, unitSize: price.unitOctets, pricePerUnit: price.pricePerUnit }],
        level: `pps:${tariff.id}:rg${service.ratingGroup}`,
      };
    }
  }
}

/**
 * The money cost of `units` service units by ordered tiers, started units charged in full (for
 * PRICE_ENQUIRY and CHECK_BALANCE). A free-credit tier covers what its bucket still holds when
 * `available` is given (else it is taken as unlimited); money tiers are priced, not limited.
 */
export function priceOf(rating: Rating, units: number, available?: Readonly<Record<string, number>>): number {
  let left = units;
  let cost = 0;
  for (const tier of rating.tiers) {
    if (left <= 0) break;
    const needed = Math.ceil(left / tier.unitSize);
    let charged = tier.maxUnits === undefined ? needed : Math.min(needed, tier.maxUnits);
    if (tier.bucket !== MONEY_BUCKET && available && tier.pricePerUnit > 0) {
      charged = Math.min(charged, Math.floor((available[tier.bucket] ?? 0) / tier.pricePerUnit));
    }
    if (tier.bucket === MONEY_BUCKET) cost += charged * tier.pricePerUnit;
    left -= charged * tier.unitSize;
  }
  return cost;
}
