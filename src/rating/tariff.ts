import { dataPrice, type DataAccess } from './data-prices.js';
import { destinationOf } from './destinations.js';
import { priceSchedule, type BandService, type PriceSchedule } from './time-bands.js';
import {
  BarredDestinationError,
  MONEY_BUCKET,
  RatingError,
  type ChargedService,
  type Rating,
  type Tariff,
} from './types.js';

/** When and for what a leg is rated, besides the service itself. */
export interface RatingContext extends DataAccess {
  /** The moment the grant is made or the price asked for (ms since the epoch). */
  atMs: number;
  /**
   * How long the grant may be used (its Validity-Time, ms): a change of price within it is
   * announced as a tariff change (RFC 4006 §8.20). 0 or absent: none is looked for (events).
   */
  windowMs?: number | undefined;
  /** The other party, international digits: the called party of an originating call or SMS. */
  otherParty?: string | undefined;
}

/** What a unit costs before pricing by time: its size and base price, and what set them. */
interface BasePrice {
  unitSize: number;
  price: number;
  label: string;
  destination?: string;
}

/**
 * Rates a leg by the account's plain prepaid tariff (DESIGN §3): one money tier. A call or SMS
 * is priced by the destination its called number matches (a barred one is refused, 4010), data
 * by the rating group's price for the roaming zone or APN, and either by the time band in force.
 * A service the tariff does not price cannot be rated (5031 RATING_FAILED).
 */
export function rateByTariff(tariff: Tariff, service: ChargedService, ctx: RatingContext): Rating {
  const base = basePrice(tariff, service, ctx);
  const schedule = priceSchedule(
    tariff,
    service.kind as BandService,
    base.price,
    ctx.atMs,
    ctx.windowMs ?? 0,
  );
  const rating: Rating = {
    tiers: [
      {
        bucket: MONEY_BUCKET,
        unitSize: base.unitSize,
        pricePerUnit: schedule.now.price,
        ...(schedule.next ? { priceAfterChange: schedule.next.price } : {}),
      },
    ],
    level: base.label + bandLabel(schedule),
  };
  if (base.destination !== undefined) rating.destination = base.destination;
  if (schedule.next) rating.tariffChangeAtMs = schedule.next.atMs;
  if (schedule.untilMs !== undefined) rating.validUntilMs = schedule.untilMs;
  return rating;
}

function basePrice(tariff: Tariff, service: ChargedService, ctx: RatingContext): BasePrice {
  const pps = `pps:${tariff.id}`;
  switch (service.kind) {
    case 'voice': {
      if (!tariff.voice) throw new RatingError(`tariff ${tariff.id} has no voice price`);
      const voice = tariff.voice;
      if (service.role === 'terminating') {
        return {
          unitSize: voice.unitSeconds,
          price: voice.terminatingPricePerUnit,
          label: `${pps}:voice-mt`,
        };
      }
      const d = destinationOf(voice.destinations, ctx.otherParty);
      if (!d) return { unitSize: voice.unitSeconds, price: voice.pricePerUnit, label: `${pps}:voice-mo` };
      if (d.barred) throw new BarredDestinationError(d.name, ctx.otherParty);
      return {
        unitSize: d.unitSeconds ?? voice.unitSeconds,
        price: d.pricePerUnit ?? voice.pricePerUnit,
        label: `${pps}:voice-mo:${d.name}`,
        destination: d.name,
      };
    }
    case 'sms': {
      if (!tariff.sms) throw new RatingError(`tariff ${tariff.id} has no SMS price`);
      const d = destinationOf(tariff.sms.destinations, ctx.otherParty);
      if (!d) return { unitSize: 1, price: tariff.sms.pricePerMessage, label: `${pps}:sms` };
      if (d.barred) throw new BarredDestinationError(d.name, ctx.otherParty);
      return {
        unitSize: 1,
        price: d.pricePerMessage ?? tariff.sms.pricePerMessage,
        label: `${pps}:sms:${d.name}`,
        destination: d.name,
      };
    }
    case 'data': {
      const found = tariff.data && dataPrice(tariff.data, service.ratingGroup, ctx);
      if (!found)
        throw new RatingError(`tariff ${tariff.id} has no price for rating group ${service.ratingGroup}`);
      const source = found.source ? `:${found.source}` : '';
      return {
        unitSize: found.price.unitOctets,
        price: found.price.pricePerUnit,
        label: `${pps}:rg${service.ratingGroup}${source}`,
      };
    }
  }
}

/** '@night' for a band in force, '@peak>night' across a change ('full' where no band applies). */
function bandLabel(schedule: PriceSchedule): string {
  const now = schedule.now.band?.name;
  if (!schedule.next) return now === undefined ? '' : `@${now}`;
  return `@${now ?? 'full'}>${schedule.next.band?.name ?? 'full'}`;
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
