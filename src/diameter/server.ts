import { createServer, type Server, type Socket } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging.js';
import { DiameterMetrics } from './metrics.js';
import type { LocalIdentity } from './answers.js';
import { APPLICATION, resolveAvps, type Avps } from './avps.js';
import type { Dictionary } from './dictionary.js';
import { InFlightLimit, DEFAULT_MAX_IN_FLIGHT } from './admission.js';
import { PeerConnection } from './peer.js';
import { DisconnectCause } from './peer/disconnect.js';
import { handlerKey, type RequestHandler } from './peer/handler.js';

export interface DiameterServerOptions {
  host: string;
  port: number;
  dictionary: Dictionary;
  identity: LocalIdentity;
  handlers: readonly RequestHandler[];
  allowedPeers?: readonly string[];
  watchdogMs?: number;
  maxMessageBytes?: number;
  /** Requests in progress across all peers before new ones get 3004 TOO_BUSY (default 2,000). */
  maxInFlight?: number;
  logger: Logger;
  /** Where the Diameter metrics are registered; none are kept without it. */
  registry?: Registry;
}

/** The Diameter listener: accepts peers over TCP and closes them in order on shutdown. */
export class DiameterServer {
  private readonly server: Server;
  private readonly peers = new Set<PeerConnection>();
  readonly avps: Avps;
  readonly admission: InFlightLimit;
  private readonly handlers = new Map<string, RequestHandler>();
  /** Applications announced in the CEA: those of the handlers. */
  private readonly applicationIds: number[] = [];

  constructor(private readonly options: DiameterServerOptions) {
    this.avps = resolveAvps(options.dictionary);
    this.admission = new InFlightLimit(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    for (const h of options.handlers) this.addHandler(h);
    const metrics = options.registry
      ? new DiameterMetrics(options.registry, {
          peersByState: () => this.peersByState(),
          inFlight: () => this.admission.inFlight,
        })
      : undefined;
    const { handlers, applicationIds } = this;
    this.server = createServer((socket: Socket) => {
      const peer = new PeerConnection(socket, {
        dictionary: options.dictionary,
        avps: this.avps,
        identity: options.identity,
        handlers,
        applicationIds,
        allowedPeers: options.allowedPeers ?? [],
        watchdogMs: options.watchdogMs ?? 30_000,
        maxMessageBytes: options.maxMessageBytes ?? 65_536,
        admission: this.admission,
        logger: options.logger,
        ...(metrics ? { metrics } : {}),
      });
      this.peers.add(peer);
      void peer.whenClosed().then(() => this.peers.delete(peer));
    });
    this.server.on('error', (err) => options.logger.error({ err }, 'diameter listener error'));
  }

  /** Serves a command; handlers are added before listening (their application goes into the CEA). */
  addHandler(handler: RequestHandler): void {
    this.handlers.set(handlerKey(handler.applicationId, handler.commandCode), handler);
    if (
      handler.applicationId !== APPLICATION.COMMON &&
      !this.applicationIds.includes(handler.applicationId)
    ) {
      this.applicationIds.push(handler.applicationId);
    }
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        const port = typeof address === 'object' && address ? address.port : this.options.port;
        this.options.logger.info({ host: this.options.host, port }, 'diameter listening');
        resolve({ host: this.options.host, port });
      });
    });
  }

  peersByState(): Record<string, number> {
    const counts: Record<string, number> = { 'wait-cer': 0, open: 0, closing: 0 };
    for (const p of this.peers) {
      const state = p.connectionState;
      if (state in counts) counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Open peers (capabilities exchanged). */
  get openPeers(): number {
    let n = 0;
    for (const p of this.peers) if (p.isOpen) n++;
    return n;
  }

  /** Stops accepting, sends DPR to every peer, and waits until all connections are closed. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.peers].map((p) => p.disconnect(DisconnectCause.REBOOTING)));
    await stopped;
  }
}
