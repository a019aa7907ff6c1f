import { PeerAllowList } from './peer/allow-list.js';
import { createServer, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging.js';
import { DiameterMetrics } from './metrics.js';
import type { LocalIdentity } from './answers.js';
import { APPLICATION, resolveAvps, type Avps } from './avps.js';
import type { Dictionary } from './dictionary.js';
import { InFlightLimit, DEFAULT_MAX_IN_FLIGHT } from './admission.js';
import { PeerConnection } from './peer.js';
import { DisconnectCause } from './peer/disconnect.js';
import { handlerKey, type PeerEvents, type RequestHandler } from './peer/handler.js';
import type { PeerOptions } from './peer/options.js';
import { remoteAddressOf } from './peer/transport.js';
import { certificateMismatch, createTlsListener, type DiameterTlsOptions } from './tls.js';

/** How a peer reached us: the label of its connections in the metrics. */
type Transport = 'tcp' | 'tls';

/** Without a deadline, how long close() lets the drain take. */
const DEFAULT_CLOSE_MS = 10_000;
/** How long the cut connections get to report closed, once destroyed. */
const CUT_GRACE_MS = 500;

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
  /** A TLS listener beside TCP, serving the same handlers with the same admission. */
  tls?: DiameterTlsOptions;
  /** Told of each peer connection that opens and closes. */
  peerEvents?: PeerEvents;
}

export interface DiameterAddress {
  host: string;
  port: number;
  /** The TLS listener's port, when there is one. */
  tlsPort?: number;
}

/** The Diameter listeners: accept peers over TCP and TLS, and close them in order on shutdown. */
export class DiameterServer {
  private readonly server: Server;
  private readonly tlsServer: Server | undefined;
  private readonly peers = new Map<PeerConnection, Transport>();
  private readonly metrics: DiameterMetrics | undefined;
  readonly avps: Avps;
  readonly admission: InFlightLimit;
  private readonly handlers = new Map<string, RequestHandler>();
  /** Applications announced in the CEA: those of the handlers. */
  private readonly applicationIds: number[] = [];
  private readonly allowList: PeerAllowList;
  private closing = false;

  constructor(private readonly options: DiameterServerOptions) {
    this.avps = resolveAvps(options.dictionary);
    this.admission = new InFlightLimit(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.allowList = new PeerAllowList(options.allowedPeers ?? []);
    for (const h of options.handlers) this.addHandler(h);
    this.metrics = options.registry
      ? new DiameterMetrics(options.registry, {
          peersByTransport: () => this.peersByTransport(),
          inFlight: () => this.admission.inFlight,
        })
      : undefined;
    this.server = createServer((socket: Socket) => this.accept(socket, 'tcp', {}));
    this.server.on('error', (err) => options.logger.error({ err }, 'diameter listener error'));
    const { tls } = options;
    if (tls) {
      this.tlsServer = createTlsListener(
        tls,
        (socket) =>
          this.accept(
            socket,
            'tls',
            tls.matchOriginHost ? { certificateMismatch: (host) => certificateMismatch(socket, host) } : {},
          ),
        (err, socket) => this.refusedHandshake(err, socket),
      );
      this.tlsServer.on('error', (err) => options.logger.error({ err }, 'diameter TLS listener error'));
    }
  }

  /** A connection, over either transport, becomes a peer served by the same handlers. */
  private accept(
    socket: Socket,
    transport: Transport,
    checks: Pick<PeerOptions, 'certificateMismatch'>,
  ): void {
    // A TLS handshake that began before close() completes after it: refused like the rest.
    if (this.closing) {
      socket.destroy();
      return;
    }
    const { options, metrics } = this;
    const peer = new PeerConnection(socket, {
      dictionary: options.dictionary,
      avps: this.avps,
      identity: options.identity,
      handlers: this.handlers,
      applicationIds: this.applicationIds,
      allowList: this.allowList,
      watchdogMs: options.watchdogMs ?? 30_000,
      maxMessageBytes: options.maxMessageBytes ?? 65_536,
      admission: this.admission,
      logger: options.logger,
      ...(metrics ? { metrics } : {}),
      ...(options.peerEvents ? { events: options.peerEvents } : {}),
      ...checks,
    });
    this.peers.set(peer, transport);
    void peer.whenClosed().then(() => this.peers.delete(peer));
  }

  private refusedHandshake(err: Error, socket: TLSSocket): void {
    this.metrics?.tlsHandshakeFailures.inc();
    this.options.logger.warn(
      { peer: remoteAddressOf(socket), reason: err.message },
      'TLS handshake failed; connection refused',
    );
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

  async listen(): Promise<DiameterAddress> {
    const { host, tls } = this.options;
    const port = await this.listenOn(this.server, this.options.port, 'tcp');
    if (!this.tlsServer || !tls) return { host, port };
    try {
      return { host, port, tlsPort: await this.listenOn(this.tlsServer, tls.port, 'tls') };
    } catch (err) {
      this.server.close();
      throw err;
    }
  }

  private listenOn(server: Server, wanted: number, transport: Transport): Promise<number> {
    const { host, logger } = this.options;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, host, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : wanted;
        logger.info({ host, port, transport }, 'diameter listening');
        resolve(port);
      });
    });
  }

  peersByState(): Record<string, number> {
    const counts: Record<string, number> = { 'wait-cer': 0, open: 0, closing: 0 };
    for (const states of Object.values(this.peersByTransport())) {
      for (const [state, n] of Object.entries(states)) counts[state] = (counts[state] ?? 0) + n;
    }
    return counts;
  }

  /** Connections by transport, then by state; TLS only when its listener exists. */
  peersByTransport(): Record<string, Record<string, number>> {
    const counts: Record<string, Record<string, number>> = { tcp: { 'wait-cer': 0, open: 0, closing: 0 } };
    if (this.tlsServer) counts.tls = { 'wait-cer': 0, open: 0, closing: 0 };
    for (const [p, transport] of this.peers) {
      const byState = counts[transport];
      const state = p.connectionState;
      if (byState && state in byState) byState[state] = (byState[state] ?? 0) + 1;
    }
    return counts;
  }

  get listening(): boolean {
    return this.server.listening && (this.tlsServer?.listening ?? true);
  }

  /**
   * An open connection of the peer with this Diameter identity, the one opened last when it has
   * several (a reconnection while the old connection is not yet closed).
   */
  openPeer(originHost: string): PeerConnection | undefined {
    let found: PeerConnection | undefined;
    for (const p of this.peers.keys()) if (p.isOpen && p.originHost === originHost) found = p;
    return found;
  }

  /** Open peers (capabilities exchanged). */
  get openPeers(): number {
    let n = 0;
    for (const p of this.peers.keys()) if (p.isOpen) n++;
    return n;
  }

  /**
   * Graceful shutdown, over TCP and TLS alike: the listeners stop accepting (a new connection
   * is refused, those open stay), the requests in progress are answered, then each peer gets a
   * DPR with Disconnect-Cause REBOOTING and is closed on its DPA (RFC 6733 §5.4). At `deadline`
   * (epoch ms) whatever is left is cut off and logged. Resolves true when nothing had to be cut.
   *
   * A request that arrives during the drain, before our DPR, is answered 3004 TOO_BUSY, not
   * served. Until the DPR a peer cannot know that we are leaving (RFC 6733 §5.4), so a busy one
   * keeps sending: serving it would hold the drain open until the deadline, and whatever was in
   * progress then would be cut. 3004 tells it at once to send the request to another peer
   * (RFC 6733 §7.1.3), which carries the session on from the shared store (DESIGN §5), and the
   * drain only shrinks.
   */
  async close(deadline = Date.now() + DEFAULT_CLOSE_MS): Promise<boolean> {
    this.closing = true;
    const listeners = [this.server, ...(this.tlsServer ? [this.tlsServer] : [])];
    const stopped = listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
    this.admission.stopAdmitting();
    const peers = [...this.peers.keys()];
    const drained = Promise.all([...peers.map((p) => p.disconnect(DisconnectCause.REBOOTING)), ...stopped]);
    if (await settledBefore(drained, deadline)) return true;
    const { logger } = this.options;
    for (const p of this.peers.keys()) {
      logger.warn(
        {
          peer: p.remoteAddress,
          originHost: p.originHost || undefined,
          requestsInProgress: p.requestsInProgress,
        },
        'shutdown bound reached: connection cut',
      );
      void p.abort();
    }
    await settledBefore(Promise.all(stopped), Date.now() + CUT_GRACE_MS);
    return false;
  }
}

/** Whether `work` settles before `deadline` (epoch ms). */
async function settledBefore(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
