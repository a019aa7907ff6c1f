/**
 * Redis keys and channels of the requests sent to clients (DESIGN §5): who holds a connection
 * to which peer, each instance's channel, and the sessions an ASR is to close. Global keys, each
 * written by single-key commands, so that they work on a Redis Cluster too.
 */
export class NetworkKeys {
  constructor(readonly prefix: string) {}

  /** Sorted set: the instances holding an open connection to the peer, scored by expiry (ms). */
  peerHolders(originHost: string): string {
    return `${this.prefix}peer-conn:${originHost}`;
  }

  /** The pub/sub channel on which an instance takes requests to send and answers to them. */
  instanceChannel(instanceId: string): string {
    return `${this.prefix}ocs:network-requests:${instanceId}`;
  }

  /** Sorted set: `<msisdn>|<Session-Id>` of sessions sent an ASR, scored by when to close them (ms). */
  abortsDue(): string {
    return `${this.prefix}sess-abort-due`;
  }
}
