/**
 * Every account's MSISDN, by SCAN over the account keys (built by the balance store's key
 * builder), on each master of a Redis Cluster. For exports and other batch work, never on a
 * request path: it walks the whole keyspace.
 */
import { Cluster, type Redis } from 'ioredis';
import type { BalanceStore } from '../balance/index.js';

export async function* scanAccounts(redis: Redis | Cluster, store: BalanceStore): AsyncGenerator<string> {
  // `*` passes the key builder's MSISDN check and stands for every MSISDN in the pattern.
  const pattern = store.keys.account('*').account;
  const head = pattern.slice(0, pattern.indexOf('{') + 1);
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys.sort()) {
        if (key.startsWith(head) && key.endsWith('}')) yield key.slice(head.length, -1);
      }
    } while (cursor !== '0');
  }
}
