import { Cluster, type Redis } from 'ioredis';
import { CONFIG_CHANNEL } from '../redis/config-channel.js';

/** A cache of configuration, as the configuration channel drives it. */
export interface ConfigListener {
  /** A message on CONFIG_CHANNEL, naming what changed. */
  changed(message: string): void;
  /** Changes may have been missed: drop everything. */
  forgetAll(): void;
}

export interface ConfigSubscription {
  close(): Promise<void>;
}

/**
 * Subscribes `listener` to CONFIG_CHANNEL on a connection of its own (a subscribed connection
 * runs no other command). Pub/sub delivers at most once: what is published while the
 * connection is down is lost (DESIGN §5). So whenever it is ready again the listener forgets
 * everything at once, and again when the channel is subscribed anew, as a change published
 * between the two is heard by no one.
 */
export async function subscribeToConfigChanges(
  redis: Redis | Cluster,
  listener: ConfigListener,
): Promise<ConfigSubscription> {
  const subscriber: Redis | Cluster = redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
  let subscribed = false;
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === CONFIG_CHANNEL) listener.changed(message);
  });
  subscriber.on('ready', () => {
    if (!subscribed) return;
    listener.forgetAll();
    subscriber.subscribe(CONFIG_CHANNEL).then(
      () => listener.forgetAll(),
      // The connection went down again: its next 'ready' tries again.
      () => undefined,
    );
  });
  try {
    await subscriber.subscribe(CONFIG_CHANNEL);
  } catch (err) {
    subscriber.disconnect();
    throw err;
  }
  subscribed = true;
  return {
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
