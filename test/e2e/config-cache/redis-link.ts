/**
 * A TCP relay between the servers under test and Redis, through which a test breaks one
 * connection the way a network does, leaving the others alone: `deafen` drops what Redis sends
 * on it (a partition the client does not notice, so a subscriber misses messages), `cut`
 * closes it (the client reconnects, through the relay again).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RelayedConnection {
  /** It has sent SUBSCRIBE: a pub/sub connection. */
  readonly subscriber: boolean;
  readonly open: boolean;
  deafen(): void;
  cut(): void;
}

// RESP of a SUBSCRIBE command as ioredis sends it: the command name as a bulk string.
const SUBSCRIBE = /\$9\r\nsubscribe\r\n/i;

export class RedisLink {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly url: string,
    /** Every connection made through the link, in the order they were opened. */
    readonly connections: readonly RelayedConnection[],
  ) {}

  static async open(redisUrl: string): Promise<RedisLink> {
    const target = new URL(redisUrl);
    const sockets = new Set<Socket>();
    const connections: RelayedConnection[] = [];
    const server = createServer((client) => connections.push(relay(client, target, sockets)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return new RedisLink(server, sockets, `redis://127.0.0.1:${port}`, connections);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function relay(client: Socket, target: URL, sockets: Set<Socket>): RelayedConnection {
  const upstream = connect(Number(target.port || 6379), target.hostname);
  const state = { subscriber: false, open: true, deaf: false };
  const cut = () => {
    state.open = false;
    client.destroy();
    upstream.destroy();
  };
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.on('error', cut);
    socket.on('close', () => {
      sockets.delete(socket);
      cut();
    });
  }
  client.on('data', (chunk: Buffer) => {
    if (SUBSCRIBE.test(chunk.toString('latin1'))) state.subscriber = true;
    upstream.write(chunk);
  });
  upstream.on('data', (chunk: Buffer) => {
    if (!state.deaf) client.write(chunk);
  });
  return {
    get subscriber() {
      return state.subscriber;
    },
    get open() {
      return state.open;
    },
    deafen: () => {
      state.deaf = true;
    },
    cut,
  };
}
