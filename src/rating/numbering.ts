/**
 * How dialled numbers become international (E.164 without +) numbers: `tel:` and `sip:` URIs,
 * international (+86…, 0086…) and national (0755…, or an 11-digit mobile number) forms.
 */
export interface NumberingPlan {
  /** Country calling code prepended to national numbers, e.g. '86'; empty: numbers are kept as dialled. */
  countryCode: string;
  /** Trunk prefix of national numbers, e.g. '0'. */
  nationalPrefix: string;
  /** Prefix of international numbers dialled without '+', e.g. '00'. */
  internationalPrefix: string;
  /** Length of a national number dialled without its trunk prefix (11 for Chinese mobiles); 0: none. */
  nationalNumberLength: number;
}

export const DEFAULT_NUMBERING: NumberingPlan = {
  countryCode: '',
  nationalPrefix: '0',
  internationalPrefix: '00',
  nationalNumberLength: 0,
};

export interface DialledNumber {
  /** Digits only. */
  digits: string;
  /** Written as an international number (+, or the international prefix). */
  international: boolean;
}

/** The user part of a tel:/sip: URI or a bare number, digits only; undefined when not a number. */
export function dialledNumber(address: string): DialledNumber | undefined {
  const user = address
    .trim()
    .replace(/^(tel|sips?):/i, '')
    .split(/[@;]/)[0]!
    .replace(/[\s().-]/g, '');
  const m = /^(\+?)(\d{1,20})$/.exec(user);
  return m ? { digits: m[2]!, international: m[1] === '+' } : undefined;
}

/** The international form of a dialled number under the plan (unchanged when the plan has no country code). */
export function normalise(number: DialledNumber, plan: NumberingPlan): string {
  const { digits } = number;
  if (number.international) return digits;
  if (plan.internationalPrefix && digits.startsWith(plan.internationalPrefix))
    return digits.slice(plan.internationalPrefix.length);
  if (!plan.countryCode) return digits;
  if (plan.nationalPrefix && digits.startsWith(plan.nationalPrefix))
    return plan.countryCode + digits.slice(plan.nationalPrefix.length);
  if (plan.nationalNumberLength > 0 && digits.length === plan.nationalNumberLength)
    return plan.countryCode + digits;
  return digits;
}
