/** What the operator commands need: the Redis the servers use, under no key prefix. */
export interface RedisNeeds {
  redisUrl: string | undefined;
}

/**
 * REDIS_URL (with REDIS_PASSWORD), checked by the server's rules for them, and no other
 * variable: the others configure the server. The configuration module (and zod with it) is
 * loaded only when a command runs.
 */
export async function redisNeeds(env: NodeJS.ProcessEnv): Promise<RedisNeeds> {
  const { loadConfig } = await import('../config/config.js');
  return { redisUrl: loadConfig({ REDIS_URL: env.REDIS_URL, REDIS_PASSWORD: env.REDIS_PASSWORD }).redisUrl };
}

/** The URL, or a ConfigError saying what it is required for. */
export async function requiredRedisUrl(needs: RedisNeeds, purpose: string): Promise<string> {
  if (needs.redisUrl) return needs.redisUrl;
  const { ConfigError } = await import('../config/config.js');
  throw new ConfigError([`REDIS_URL: required ${purpose} (the Redis the servers use)`]);
}
