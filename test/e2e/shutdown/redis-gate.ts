/**
 * A TCP relay between a server under test and Redis that can hold what the server sends, the
 * way a slow network would: while it holds, the server's commands wait unanswered, so the
 * requests that need them stay in progress; `release` delivers everything in order. Only the
 * servers behind the relay are slowed; the run's one Redis serves the other tests as usual.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class RedisGate {
  private held: (() => void)[] | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(private readonly target: URL) {
    this.server = createServer((client) => this.relay(client));
  }

  static async open(redisUrl: string): Promise<RedisGate> {
    const gate = new RedisGate(new URL(redisUrl));
    await new Promise<void>((resolve, reject) => {
      gate.server.once('error', reject);
      gate.server.listen(0, '127.0.0.1', () => resolve());
    });
    return gate;
  }

  /** The relay's address as REDIS_URL, `redis://127.0.0.1:port`, with the target's database. */
  get url(): string {
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return `redis://127.0.0.1:${port}${this.target.pathname}`;
  }

  /** From now on, what the servers send to Redis waits here. */
  hold(): void {
    this.held ??= [];
  }

  /** Sends on what was held, in order, and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const send of held) send();
  }

  async close(): Promise<void> {
    this.release();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', cut);
      socket.on('close', () => {
        this.sockets.delete(socket);
        cut();
      });
    }
    client.on('data', (chunk: Buffer) => {
      const send = () => upstream.write(chunk);
      if (this.held) this.held.push(send);
      else send();
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }
}
