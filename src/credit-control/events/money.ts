import { currencyInfo } from '../../catalog/schema.js';
import { ChargingRefusal } from '../refusals.js';

/** Cost-Information in the currency's minor units (RFC 4006 §8.7: value digits × 10^exponent). */
export function costInformation(minorUnits: number, currency: string) {
  const { numeric, digits } = currencyInfo(currency || 'XXX');
  return { valueDigits: minorUnits, exponent: -digits, currencyCode: numeric };
}

/** A CC-Money amount (RFC 4006 §8.22) in the currency's minor units; a fraction of a minor unit is refused. */
export function moneyInMinorUnits(valueDigits: bigint, exponent: number, currency: string): number {
  if (valueDigits < 0n) throw new ChargingRefusal('MONEY_INVALID', 'CC-Money is negative');
  const { digits } = currencyInfo(currency || 'XXX');
  const shift = exponent + digits;
  const scaled = shift >= 0 ? valueDigits * 10n ** BigInt(shift) : valueDigits / 10n ** BigInt(-shift);
  if (shift < 0 && scaled * 10n ** BigInt(-shift) !== valueDigits) {
    throw new ChargingRefusal('MONEY_INVALID', 'CC-Money is finer than the currency minor unit');
  }
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ChargingRefusal('MONEY_INVALID', 'CC-Money too large');
  return Number(scaled);
}
