import type { Cluster, Redis } from 'ioredis';

/** How long a server's start waits for its Redis connection before it gives up. */
export const READY_WAIT_MS = 10_000;

/**
 * Resolves once the connection is ready for commands; a client without an offline queue
 * refuses every command before that. Rejects when it is not ready within `withinMs`, with the
 * last connection error, or when the connection is closed first.
 */
export function whenReady(client: Redis | Cluster, withinMs = READY_WAIT_MS): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onError = (err: Error) => {
      lastError = `: ${err.message}`;
    };
    const settle = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => settle();
    const onEnd = () => settle(new Error(`the Redis connection closed before it was ready${lastError}`));
    const timer = setTimeout(
      () => settle(new Error(`Redis was not ready within ${withinMs} ms${lastError}`)),
      withinMs,
    );
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
  });
}

/**
 * Whether Redis answers PING within `withinMs`. Never throws and never waits longer, so that a
 * readiness probe gets its answer in time even from a Redis that has stopped answering.
 */
export async function answersPing(client: Redis | Cluster, withinMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), withinMs);
  });
  const pong = client.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  try {
    return await Promise.race([pong, late]);
  } finally {
    clearTimeout(timer);
  }
}
