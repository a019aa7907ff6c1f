import { AvpValueError, checkValue, readInteger32 } from './avp-value.js';
import { DecodeError, groupMembers } from './decode.js';
import type { AvpType } from './dictionary-format.js';
import type { AvpDefinition, Dictionary, Grammar } from './dictionary.js';
import { AvpFlags, type Avp } from './message.js';
import { ResultCode } from '../errors/result-codes.js';

/** Why a request cannot be served as sent: the Result-Code, a reason for the log, the Failed-AVP. */
export interface ValidationFailure {
  resultCode: number;
  reason: string;
  failedAvp?: Avp;
}

/**
 * Checks received AVPs against the dictionary and a grammar (RFC 6733 §7.5, §6.2): unknown
 * AVPs with the M bit (5001), malformed values (5014 for a wrong length, 5004 otherwise),
 * required AVPs missing (5005) or repeated (5009), walking into Grouped AVPs. Unknown AVPs
 * without the M bit are allowed and ignored (§4.1). An enumerated value we do not know is
 * left to the code that reads it: a later release may add values to an AVP we only relay.
 */
export function validateAvps(
  dict: Dictionary,
  avps: readonly Avp[],
  grammar: Grammar | undefined,
): ValidationFailure | undefined {
  for (let i = 0; i < avps.length; i++) {
    const avp = avps[i]!;
    const def = dict.avp(avp.code, avp.vendorId);
    if (def === undefined) {
      if (avp.flags & AvpFlags.Mandatory) {
        return {
          resultCode: ResultCode.AVP_UNSUPPORTED,
          reason: `unknown AVP ${avp.code}${avp.vendorId ? ` of vendor ${avp.vendorId}` : ''} with the M bit`,
          failedAvp: avp,
        };
      }
      continue;
    }
    const failure = validateValue(dict, def, avp);
    if (failure) return failure;
  }
  return grammar ? checkGrammar(avps, grammar) : undefined;
}

function validateValue(dict: Dictionary, def: AvpDefinition, avp: Avp): ValidationFailure | undefined {
  try {
    checkValue(avp, def.type);
  } catch (err) {
    if (!(err instanceof AvpValueError)) throw err;
    return {
      resultCode: err.wrongLength ? ResultCode.INVALID_AVP_LENGTH : ResultCode.INVALID_AVP_VALUE,
      reason: `${def.name}: ${err.message}`,
      failedAvp: avp,
    };
  }
  if (def.type === 'Enumerated') {
    const value = readInteger32(avp);
    if (!def.namesByValue.has(value)) {
      return {
        resultCode: ResultCode.INVALID_AVP_VALUE,
        reason: `${def.name}: unknown value ${value}`,
        failedAvp: avp,
      };
    }
  } else if (def.type === 'Grouped') {
    let members: readonly Avp[];
    try {
      members = groupMembers(avp);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return { resultCode: err.resultCode, reason: `${def.name}: ${err.message}`, failedAvp: avp };
    }
    return validateAvps(dict, members, def.members);
  }
  return undefined;
}

function checkGrammar(avps: readonly Avp[], grammar: Grammar): ValidationFailure | undefined {
  return checkOccurrences(avps, grammar.fixed, grammar) ?? checkOccurrences(avps, grammar.required, grammar);
}

/** Each AVP of `list` present, and once only unless the grammar lets it repeat. */
function checkOccurrences(
  avps: readonly Avp[],
  list: readonly AvpDefinition[],
  grammar: Grammar,
): ValidationFailure | undefined {
  for (let d = 0; d < list.length; d++) {
    const def = list[d]!;
    let count = 0;
    let second: Avp | undefined;
    for (let i = 0; i < avps.length; i++) {
      const a = avps[i]!;
      if (a.code === def.code && a.vendorId === def.vendorId && ++count === 2) second = a;
    }
    if (second && grammar.repeated.has(def)) second = undefined;
    if (count === 0) {
      return {
        resultCode: ResultCode.MISSING_AVP,
        reason: `${def.name} is missing`,
        failedAvp: exampleOf(def),
      };
    }
    if (second) {
      return {
        resultCode: ResultCode.AVP_OCCURS_TOO_MANY_TIMES,
        reason: `${def.name} appears ${count} times`,
        failedAvp: second,
      };
    }
  }
  return undefined;
}

const MINIMUM_LENGTH: Partial<Record<AvpType, number>> = {
  Integer32: 4,
  Unsigned32: 4,
  Enumerated: 4,
  Float32: 4,
  Time: 4,
  Integer64: 8,
  Unsigned64: 8,
  Float64: 8,
  Address: 6,
};

/**
 * RFC 6733 §7.5: a missing AVP is reported as an example of it with a zero-filled value. A
 * grouped example holds examples of its required members (or of its first member when none
 * is required), since an empty group reads as undecodable to a protocol analyser.
 */
export function exampleOf(def: AvpDefinition, depth = 0): Avp {
  let data = Buffer.alloc(MINIMUM_LENGTH[def.type] ?? 0);
  if (def.type === 'Grouped' && def.members && depth < 4) {
    const { required, optional } = def.members;
    const members = required.length > 0 ? required : optional.slice(0, 1);
    data = Buffer.concat(members.map((m) => encodeAvp(exampleOf(m, depth + 1))));
  }
  return {
    code: def.code,
    vendorId: def.vendorId,
    flags: (def.vendorId ? AvpFlags.Vendor : 0) | (def.mandatory ? AvpFlags.Mandatory : 0),
    data,
  };
}

/** One AVP's bytes: header, data, padding to 4 (RFC 6733 §4.1). */
function encodeAvp(avp: Avp): Buffer {
  const headerLength = avp.vendorId ? 12 : 8;
  const length = headerLength + avp.data.length;
  const out = Buffer.alloc((length + 3) & ~3);
  out.writeUInt32BE(avp.code, 0);
  out[4] = avp.flags;
  out.writeUIntBE(length, 5, 3);
  if (avp.vendorId) out.writeUInt32BE(avp.vendorId, 8);
  avp.data.copy(out, headerLength);
  return out;
}
