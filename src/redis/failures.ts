/**
 * How a command failed when Redis did not serve it: ioredis's own errors, told apart by their
 * messages and names (it gives them no codes).
 */

/** `timeout`: no answer within the command's deadline; `unavailable`: not connected. */
export type RedisFailure = 'timeout' | 'unavailable';

const NOT_CONNECTED =
  /Connection is closed|Stream isn't writeable|Cluster isn't ready|ECONNREFUSED|ECONNRESET|EPIPE/;

/** Why Redis did not serve the command that threw `err`, or undefined for any other error. */
export function redisFailureOf(err: unknown): RedisFailure | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.message === 'Command timed out') return 'timeout';
  if (err.name === 'MaxRetriesPerRequestError' || NOT_CONNECTED.test(err.message)) return 'unavailable';
  return undefined;
}
