import { Cluster, Redis } from 'ioredis';

/**
 * Connects to `redis://host:port` (one server) or a comma-separated list of node URLs (Redis
 * Cluster). Commands fail after one retry instead of queueing, so a CCR is answered 5012
 * UNABLE_TO_COMPLY quickly when Redis is away, and not left hanging.
 */
export function connectRedis(url: string): Redis | Cluster {
  const urls = url
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length > 1) {
    return new Cluster(
      urls.map((u) => {
        const parsed = new URL(u);
        return { host: parsed.hostname, port: Number(parsed.port || 6379) };
      }),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
  }
  return new Redis(urls[0] ?? url, { maxRetriesPerRequest: 1 });
}
