import { currencyInfo } from '../../catalog/schema.js';
import { ChargingRefusal } from '../refusals.js';

/** Cost-Information in the currency's minor units (RFC 4006 §8.7: value digits × 10^exponent). */
export function costInformation(minorUnits: number, currency: string) {
  const { numeric, digits } = currencyInfo(currency || 'XXX');
  return { valueDigits: minorUnits, exponent: -digits, currencyCode: numeric };
}

/** A CC-Money amount (RFC 4006 §8.22) in the currency's minor units; a fraction of a minor unit is refused. */
export function moneyInMinorUnits(valueDigits: bigint, exponent: number, currency: string): number {
  const refuse = (why: string) => new ChargingRefusal('MONEY_INVALID', why, 'Requested-Service-Unit');
  if (valueDigits < 0n) throw refuse('CC-Money is negative');
  if (valueDigits === 0n) return 0;
  const { digits } = currencyInfo(currency || 'XXX');
  const shift = exponent + digits;
  // Value-Digits is an Integer64 (at most 19 digits): past these shifts the amount is surely
  // too large or surely a fraction, and 10^shift of an Integer32 exponent would not fit in memory.
  if (shift > 15) throw refuse('CC-Money too large');
  if (shift < -19) throw refuse('CC-Money is finer than the currency minor unit');
  const scaled = shift >= 0 ? valueDigits * 10n ** BigInt(shift) : valueDigits / 10n ** BigInt(-shift);
  if (shift < 0 && scaled * 10n ** BigInt(-shift) !== valueDigits) {
    throw refuse('CC-Money is finer than the currency minor unit');
  }
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) throw refuse('CC-Money too large');
  return Number(scaled);
}
