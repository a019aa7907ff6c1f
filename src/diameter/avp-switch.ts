import type { Avp } from './message.js';

/** Codes under this are found by an array index; the rare larger ones through a Map. */
const DENSE_CODES = 1 << 16;

/** The AVPs of one vendor a switch knows, by code. */
interface VendorCodes {
  readonly vendorId: number;
  readonly dense: Uint8Array;
  readonly sparse: Map<number, number>;
}

/**
 * Which of a set of known AVPs a received one is, as the small number given for it, found
 * in one lookup by (code, vendor). A reader of a message then switches on that number
 * instead of comparing each AVP against every AVP it knows in turn.
 */
export class AvpSwitch {
  private readonly vendors: VendorCodes[] = [];

  /** `entries` pairs each AVP with its number, 1 to 255 (0 is "none of these"). */
  constructor(entries: readonly (readonly [avp: { code: number; vendorId: number }, n: number])[]) {
    for (const [avp, n] of entries) {
      if (!Number.isInteger(n) || n < 1 || n > 255) throw new RangeError(`AVP number ${n} is not in 1..255`);
      const codes = this.vendorCodes(avp.vendorId, entries);
      const before = avp.code < DENSE_CODES ? codes.dense[avp.code] : codes.sparse.get(avp.code);
      if (before) throw new Error(`AVP ${avp.code} of vendor ${avp.vendorId} given twice`);
      if (avp.code < DENSE_CODES) codes.dense[avp.code] = n;
      else codes.sparse.set(avp.code, n);
    }
  }

  /** The number of this AVP, or 0 when it is none of the known ones. */
  of(avp: Avp): number {
    const vendors = this.vendors;
    for (let i = 0; i < vendors.length; i++) {
      const codes = vendors[i]!;
      if (codes.vendorId !== avp.vendorId) continue;
      const code = avp.code;
      return code < codes.dense.length ? codes.dense[code]! : (codes.sparse.get(code) ?? 0);
    }
    return 0;
  }

  private vendorCodes(
    vendorId: number,
    entries: readonly (readonly [avp: { code: number; vendorId: number }, n: number])[],
  ): VendorCodes {
    const known = this.vendors.find((v) => v.vendorId === vendorId);
    if (known) return known;
    let highest = -1;
    for (const [avp] of entries) {
      if (avp.vendorId === vendorId && avp.code < DENSE_CODES) highest = Math.max(highest, avp.code);
    }
    const codes: VendorCodes = { vendorId, dense: new Uint8Array(highest + 1), sparse: new Map() };
    this.vendors.push(codes);
    return codes;
  }
}
