import type { Cluster, Redis, Result } from 'ioredis';
import type { ScriptCallArg } from '../redis/script-call.js';
import { defineScripts } from '../redis/scripts.js';
import { parseIndexMember, type Keys } from './keys.js';
import { MONEY } from './types.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    ocsReservedMoney(...keysAndArgs: ScriptCallArg[]): Result<unknown, Context>;
  }
}

/** Its own script, beside the store's: any number of KEYS (the count first), so no library. */
const { register } = defineScripts({
  dir: new URL('./lua/', import.meta.url),
  scripts: { ocsReservedMoney: { file: 'reserved-money' } },
});

/** Index entries read per ZSCAN, and accounts summed per script call. */
const PAGE = 1000;

export interface ReservedMoneyOptions {
  /**
   * Up to this many reservations the sum is made at every read. Above, one read sums and keeps
   * the result for `snapshotMs`, and the reads of every instance meanwhile take it: the sum
   * costs about a millisecond of Redis per thousand accounts, and it would otherwise be paid
   * by every instance at every scrape of every Prometheus.
   */
  exactUpTo?: number;
  snapshotMs?: number;
  /**
   * The Tcc supervision set (members `<msisdn>|<Session-Id>`): on one Redis a supervised
   * session's reservations have no index entry (DESIGN §5), so their accounts are found there.
   */
  supervision?: string;
}

/**
 * Money frozen by reservations now, in minor units by the account's currency: the sum of
 * `resv:money` over the accounts the reservation index and the supervision set name. Between
 * them they name every account holding a reservation (DESIGN §5), so none is missed; each
 * account counts once however many reservations it holds.
 */
export async function reservedMoneyByCurrency(
  redis: Redis | Cluster,
  keys: Keys,
  options: ReservedMoneyOptions = {},
): Promise<Map<string, number>> {
  const sets = [keys.reservationIndex(), ...(options.supervision ? [options.supervision] : [])];
  let entries = 0;
  for (const set of sets) entries += await redis.zcard(set);
  if (entries <= (options.exactUpTo ?? 10_000)) return sumReservedMoney(redis, keys, sets);
  const snapshot = await redis.get(keys.reservedMoneySnapshot());
  if (snapshot !== null) return new Map(JSON.parse(snapshot) as [string, number][]);
  const sums = await sumReservedMoney(redis, keys, sets);
  await redis.set(
    keys.reservedMoneySnapshot(),
    JSON.stringify([...sums]),
    'PX',
    options.snapshotMs ?? 10_000,
  );
  return sums;
}

/**
 * The sum itself, a page at a time so that Redis serves requests in between: on one Redis a
 * script sums each page of accounts; in a cluster, where each account has a slot of its own,
 * each account is read with a command of its own.
 */
async function sumReservedMoney(
  redis: Redis | Cluster,
  keys: Keys,
  sets: string[],
): Promise<Map<string, number>> {
  const accounts = new Set<string>();
  // Both kinds of member start with `<msisdn>|`.
  for (const set of sets) {
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(set, cursor, 'COUNT', PAGE);
      for (let i = 0; i < flat.length; i += 2) {
        accounts.add(keys.account(parseIndexMember(flat[i]!).msisdn).account);
      }
      cursor = next;
    } while (cursor !== '0');
  }

  const byCurrency = new Map<string, number>();
  const add = (currency: string | null, amount: number) => {
    if (amount > 0) byCurrency.set(currency ?? '', (byCurrency.get(currency ?? '') ?? 0) + amount);
  };
  const accountKeys = [...accounts];
  if (!redis.isCluster) register(redis);
  for (let i = 0; i < accountKeys.length; i += PAGE) {
    const page = accountKeys.slice(i, i + PAGE);
    if (redis.isCluster) {
      const rows = await Promise.all(page.map((key) => redis.hmget(key, `resv:${MONEY}`, 'currency')));
      for (const [reserved, currency] of rows) add(currency ?? null, Number(reserved ?? 0));
    } else {
      const flat = (await redis.ocsReservedMoney(page.length, ...page)) as string[];
      for (let j = 0; j + 1 < flat.length; j += 2) add(flat[j]!, Number(flat[j + 1]));
    }
  }
  return byCurrency;
}
