/**
 * How the store's data lies in Redis, read back without a script: the account hash, a
 * reservation's value (lua/includes/reservation.lua) and ledger entries (lua/includes/ledger.lua).
 */
import { parseReservationId } from './keys.js';
import {
  MONEY,
  type AccountStatus,
  type AccountView,
  type BucketDelta,
  type BucketView,
  type LedgerEntry,
  type LedgerOp,
  type ReservationView,
} from './types.js';

const BUCKET_PART = { avail: 'available', resv: 'reserved', spent: 'spent' } as const;

/**
 * The account hash: attributes, `avail:`, `resv:` and `spent:<bucket>`, `period:<bucket>`;
 * null when the account does not exist. Money is always there, at 0 when never credited.
 */
export function decodeAccount(msisdn: string, raw: Record<string, string>): AccountView | null {
  if (raw.status === undefined) return null;
  const buckets: Record<string, BucketView> = { [MONEY]: { available: 0, reserved: 0, spent: 0 } };
  const resetPeriods: Record<string, string> = {};
  for (const [field, value] of Object.entries(raw)) {
    const colon = field.indexOf(':');
    const kind = field.slice(0, colon);
    const name = field.slice(colon + 1);
    if (kind === 'period') {
      resetPeriods[name] = value;
    } else if (kind === 'avail' || kind === 'resv' || kind === 'spent') {
      const b = (buckets[name] ??= { available: 0, reserved: 0, spent: 0 });
      b[BUCKET_PART[kind]] = Number(value);
    }
  }
  return {
    msisdn,
    status: raw.status as AccountStatus,
    prepaid: raw.prepaid === '1',
    validUntil: Number(raw.validUntil ?? 0),
    minThreshold: Number(raw.minThreshold ?? 0),
    tariff: raw.tariff ?? '',
    currency: raw.currency ?? '',
    buckets,
    resetPeriods,
  };
}

/**
 * The encoding of lua/includes/reservation.lua: '<expiresAtMs> (<bucket> <unitSize> <price> <units>)*',
 * a price being '<before>/<after>' across a tariff change, frozen at the dearer of the two.
 */
export function decodeReservation(id: string, value: string): ReservationView {
  const tok = value.split(' ');
  const tiers: ReservationView['tiers'] = [];
  let units = 0;
  for (let i = 1; i + 3 < tok.length; i += 4) {
    const unitSize = Number(tok[i + 1]);
    const [before, after] = (tok[i + 2] as string).split('/').map(Number) as [number, number?];
    const frozen = after === undefined ? before : Math.max(before, after);
    const held = Number(tok[i + 3]);
    tiers.push({
      bucket: tok[i] as string,
      unitSize,
      pricePerUnit: before,
      ...(after === undefined ? {} : { priceAfterChange: after }),
      units: held,
      amount: held * frozen,
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
