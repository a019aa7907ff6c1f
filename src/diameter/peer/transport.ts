import type { Socket } from 'node:net';
import type { Logger } from '../../logging.js';

/** How long a closed connection waits for the peer to close its side before it is torn down. */
const CLOSE_GRACE_MS = 1000;

export interface TransportEvents {
  onData(chunk: Buffer): void;
  onClose(): void;
}

/** `address:port` of the far end, for logs and for the application handlers. */
export function remoteAddressOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

/** The TCP transport under one peer: writes, an orderly close, and the moment it closed. */
export class PeerTransport {
  readonly closed: Promise<void>;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    log: Logger,
    events: TransportEvents,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => events.onData(chunk));
    socket.on('error', (err) => log.warn({ err: err.message }, 'transport error'));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        events.onClose();
        resolve();
      }),
    );
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  send(message: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    // Answers that complete in one tick leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(message);
  }

  /** Sends what is queued and closes our side; a peer that keeps its side open is cut off. */
  end(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
