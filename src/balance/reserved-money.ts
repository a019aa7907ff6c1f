import type { Cluster, Redis } from 'ioredis';
import { parseIndexMember, type Keys } from './keys.js';
import { MONEY } from './types.js';

/** Index entries read per ZSCAN, and account hashes read per batch of commands. */
const PAGE = 1000;

/**
 * Money frozen by reservations now, in minor units by the account's currency: the sum of
 * `resv:money` over the accounts the reservation index names. The index is a superset of the
 * reservations (DESIGN §5), so no account holding money is missed; each account counts once
 * however many reservations it holds. Read a page at a time, so that Redis serves requests in
 * between: it costs one command per account with a reservation.
 */
export async function reservedMoneyByCurrency(
  redis: Redis | Cluster,
  keys: Keys,
): Promise<Map<string, number>> {
  const accounts = new Set<string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(keys.reservationIndex(), cursor, 'COUNT', PAGE);
    for (let i = 0; i < flat.length; i += 2) accounts.add(parseIndexMember(flat[i]!).msisdn);
    cursor = next;
  } while (cursor !== '0');

  const byCurrency = new Map<string, number>();
  const msisdns = [...accounts];
  for (let i = 0; i < msisdns.length; i += PAGE) {
    const page = msisdns.slice(i, i + PAGE);
    const rows = await Promise.all(
      page.map((m) => redis.hmget(keys.account(m).account, `resv:${MONEY}`, 'currency')),
    );
    for (const [reserved, currency] of rows) {
      const amount = Number(reserved ?? 0);
      if (amount > 0) byCurrency.set(currency ?? '', (byCurrency.get(currency ?? '') ?? 0) + amount);
    }
  }
  return byCurrency;
}
