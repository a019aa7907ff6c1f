/**
 * REDIS_PASSWORD: the password of the Redis the servers use, kept apart from REDIS_URL so that
 * an orchestrator can hand it in from a secret store while the URL stays plain configuration.
 * It is written into each URL of REDIS_URL as the `redis://:password@host` form (Redis AUTH of
 * the default user), which every client of the URL then reads: the server and the commands.
 */

/** REDIS_URL with the password in each of its URLs, or the problems that forbid it. */
export function withRedisPassword(
  redisUrl: string | undefined,
  password: string | undefined,
): { url: string | undefined; problems: string[] } {
  if (password === undefined) return { url: redisUrl, problems: [] };
  if (redisUrl === undefined) {
    return {
      url: undefined,
      problems: ['REDIS_PASSWORD=(hidden): needs REDIS_URL (the private redis-server has no password)'],
    };
  }
  const urls = redisUrl.split(',').map((u) => new URL(u.trim()));
  if (urls.some((u) => u.password !== '')) {
    return {
      url: redisUrl,
      problems: ['REDIS_PASSWORD=(hidden): REDIS_URL carries a password already; give it in one place only'],
    };
  }
  for (const url of urls) {
    // Encoded here: the URL setter would leave a `%` as it is, which the client then decodes.
    url.password = encodeURIComponent(password);
  }
  return { url: urls.map((u) => u.href).join(','), problems: [] };
}
