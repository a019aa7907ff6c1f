/**
 * Turns script replies into typed results. A reply is `{code, detail}` for a refusal (a typed
 * error is thrown) or `{0, {name, value, ...}}` for a success.
 */
import { BalanceCode, errorFromCode } from './errors.js';
import { parseReservationId } from './keys.js';
import type {
  Amounts,
  ApplyResult,
  AuthResult,
  BucketDelta,
  DeductResult,
  DirectDebitResult,
  LedgerEntry,
  LedgerOp,
  ReservationView,
  SettleResult,
  TierHold,
} from './types.js';

export class Fields {
  private readonly values = new Map<string, unknown>();

  constructor(list: unknown[]) {
    for (let i = 0; i + 1 < list.length; i += 2) this.values.set(String(list[i]), list[i + 1]);
  }

  private get(name: string): unknown {
    if (!this.values.has(name)) throw new Error(`balance script reply lacks '${name}'`);
    return this.values.get(name);
  }

  int(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw new Error(`balance script reply: '${name}' is not an integer`);
    }
    return v;
  }

  bool(name: string): boolean {
    return this.int(name) === 1;
  }

  str(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') throw new Error(`balance script reply: '${name}' is not a string`);
    return v;
  }

  list(name: string): unknown[] {
    const v = this.get(name);
    if (!Array.isArray(v)) throw new Error(`balance script reply: '${name}' is not a list`);
    return v;
  }

  /** {bucket, amount, ...} -> { bucket: amount }. */
  amounts(name: string): Amounts {
    return pairsToAmounts(this.list(name));
  }

  /** {bucket, units, amount, ...} -> TierHold[]. */
  holds(name: string): TierHold[] {
    const list = this.list(name);
    const out: TierHold[] = [];
    for (let i = 0; i + 2 < list.length; i += 3) {
      out.push({ bucket: String(list[i]), units: Number(list[i + 1]), amount: Number(list[i + 2]) });
    }
    return out;
  }
}

function pairsToAmounts(list: unknown[]): Amounts {
  const out: Amounts = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = Number(list[i + 1]);
  return out;
}

/** The fields of a successful reply; throws the typed error of a refusal. */
export function unwrap(reply: unknown): Fields {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') {
    throw new Error(`balance script returned an unexpected reply: ${JSON.stringify(reply)}`);
  }
  const [code, body] = reply as [number, unknown];
  if (code !== BalanceCode.OK) throw errorFromCode(code, typeof body === 'string' ? body : '');
  if (!Array.isArray(body)) throw new Error('balance script reply: success without fields');
  return new Fields(body);
}

export function authResult(f: Fields): AuthResult {
  return {
    status: 'active',
    prepaid: f.bool('prepaid'),
    tariff: f.str('tariff'),
    currency: f.str('currency'),
    available: f.int('available'),
    reserved: f.int('reserved'),
    validUntil: f.int('validUntil'),
    minThreshold: f.int('minThreshold'),
  };
}

export function applyResult(f: Fields): ApplyResult {
  return {
    granted: f.int('granted'),
    final: f.bool('final'),
    expiresAtMs: f.int('expiresAtMs'),
    tiers: f.holds('tiers'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

export function deductResult(f: Fields): DeductResult {
  return {
    charged: f.int('charged'),
    uncharged: f.int('uncharged'),
    amounts: f.amounts('amounts'),
    remaining: f.int('remaining'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

export function settleResult(f: Fields): SettleResult {
  return {
    settled: f.bool('settled'),
    charged: f.int('charged'),
    uncharged: f.int('uncharged'),
    amounts: f.amounts('amounts'),
    returned: f.amounts('returned'),
    releasedExpiresAtMs: f.int('releasedExpiresAtMs'),
    granted: f.int('granted'),
    final: f.bool('final'),
    creditLimitReached: f.bool('creditLimitReached'),
    expiresAtMs: f.int('expiresAtMs'),
    tiers: f.holds('tiers'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

export function directDebitResult(f: Fields): DirectDebitResult {
  return {
    charged: f.int('charged'),
    uncharged: f.int('uncharged'),
    amounts: f.amounts('amounts'),
    moneyAvailable: f.int('moneyAvailable'),
  };
}

/** `{reservation id, {bucket, amount, ...}, ...}` of expire-reservations. */
export function expiredList(list: unknown[]): { id: string; returned: Amounts }[] {
  const out: { id: string; returned: Amounts }[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const returned = list[i + 1];
    out.push({ id: String(list[i]), returned: pairsToAmounts(Array.isArray(returned) ? returned : []) });
  }
  return out;
}

/** The encoding of lua/includes/reservation.lua: '<expiresAtMs> (<bucket> <unitSize> <price> <units>)*'. */
export function decodeReservation(id: string, value: string): ReservationView {
  const tok = value.split(' ');
  const tiers: ReservationView['tiers'] = [];
  let units = 0;
  for (let i = 1; i + 3 < tok.length; i += 4) {
    const unitSize = Number(tok[i + 1]);
    const pricePerUnit = Number(tok[i + 2]);
    const held = Number(tok[i + 3]);
    tiers.push({
      bucket: tok[i] as string,
      unitSize,
      pricePerUnit,
      units: held,
      amount: held * pricePerUnit,
    });
    units += held * unitSize;
  }
  return { ...parseReservationId(id), expiresAtMs: Number(tok[0]), units, tiers };
}

/** 'bucket=dAvail/dResv/dSpent;...' of a ledger entry. */
export function decodeDeltas(d: string): Record<string, BucketDelta> {
  const out: Record<string, BucketDelta> = {};
  if (d === '') return out;
  for (const part of d.split(';')) {
    const eq = part.lastIndexOf('=');
    const [available, reserved, spent] = part
      .slice(eq + 1)
      .split('/')
      .map(Number);
    out[part.slice(0, eq)] = { available: available ?? 0, reserved: reserved ?? 0, spent: spent ?? 0 };
  }
  return out;
}

const BASE_FIELDS = new Set(['op', 'opId', 'session', 'rg', 'd', 'availAfter', 'ts']);

/**
 * One XRANGE entry: [id, [field, value, ...]]. Two layouts (lua/includes/ledger.lua): the
 * compact one, fields e ('<op>|<rg>|<availAfter>|<ts>|<d>|<name>=<value>...'), i (opId), s
 * (session) and ref; and the one written before it, a field per value.
 */
export function decodeLedgerEntry(raw: [string, string[]]): LedgerEntry {
  const [id, list] = raw;
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) f.set(list[i] as string, list[i + 1] as string);
  const e = f.get('e');
  if (e !== undefined) return decodeCompact(id, e, f);
  const extra: Record<string, string> = {};
  for (const [k, v] of f) if (!BASE_FIELDS.has(k)) extra[k] = v;
  const rg = f.get('rg') ?? '';
  return {
    id,
    op: f.get('op') as LedgerOp,
    opId: f.get('opId') ?? '',
    session: f.get('session') ?? '',
    ratingGroup: rg === '' ? null : Number(rg),
    deltas: decodeDeltas(f.get('d') ?? ''),
    moneyAvailableAfter: Number(f.get('availAfter')),
    ts: Number(f.get('ts')),
    extra,
  };
}

function decodeCompact(id: string, e: string, f: Map<string, string>): LedgerEntry {
  const [op, rg = '', after, ts, d = '', ...extras] = e.split('|');
  const extra: Record<string, string> = {};
  for (const pair of extras) {
    const eq = pair.indexOf('=');
    extra[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const ref = f.get('ref');
  if (ref !== undefined) extra.ref = ref;
  return {
    id,
    op: op as LedgerOp,
    opId: f.get('i') ?? '',
    session: f.get('s') ?? '',
    ratingGroup: rg === '' ? null : Number(rg),
    deltas: decodeDeltas(d),
    moneyAvailableAfter: Number(after),
    ts: Number(ts),
    extra,
  };
}
