import type { Redis as RedisClient } from 'ioredis';
import { infoField } from '../support/redis-info.js';
import { sleep } from './sleep.js';

export interface KeyKind {
  keys: number;
  bytes: number;
  /** The longest time to live of its keys, s; -1: one at least has none (kept until deleted). */
  maxTtlSeconds: number;
}

export async function usedMemory(redis: RedisClient): Promise<number> {
  return infoField(await redis.info('memory'), 'used_memory');
}

/**
 * Memory that holds data: used_memory without the transient buffers it also counts (the AOF
 * buffer and a running AOF rewrite's, replication buffers, clients' query and output buffers),
 * read once no AOF rewrite is running. Those buffers follow the write rate, not what is stored,
 * and made the figure jump by hundreds of bytes per session between runs.
 */
export async function dataMemory(redis: RedisClient): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 200) {
    if (infoField(await redis.info('persistence'), 'aof_rewrite_in_progress') === 0) break;
    await sleep(200);
  }
  const info = await redis.info('memory');
  return (
    infoField(info, 'used_memory') -
    infoField(info, 'mem_not_counted_for_evict') -
    infoField(info, 'mem_clients_normal')
  );
}

/**
 * Where Redis memory goes, by kind of key (the text before its first ':' or '{'): MEMORY USAGE
 * of every key, summed per kind, with the entries of the shared sorted sets counted too, and
 * how long the kind's keys live at most. `match`: only the keys matching it (SCAN MATCH).
 */
export async function memoryByKind(redis: RedisClient, match = '*'): Promise<Map<string, KeyKind>> {
  const kinds = new Map<string, KeyKind>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0').ttl(key);
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const kind = /^[^:{]*/.exec(key)![0] || key;
      const entry = kinds.get(kind) ?? { keys: 0, bytes: 0, maxTtlSeconds: 0 };
      entry.keys++;
      entry.bytes += Number(replies[2 * i]?.[1] ?? 0);
      const ttl = Number(replies[2 * i + 1]?.[1] ?? -1);
      if (entry.maxTtlSeconds !== -1) entry.maxTtlSeconds = ttl < 0 ? -1 : Math.max(entry.maxTtlSeconds, ttl);
      kinds.set(kind, entry);
    });
  } while (cursor !== '0');
  return kinds;
}
