import type { Dictionary } from '../diameter/dictionary.js';
import type { DiameterMessage } from '../diameter/message.js';
import { ResultCode } from '../errors/result-codes.js';
import { DiameterClient } from './client.js';
import { SimulatorError } from './error.js';
import { CcrWriter } from './requests.js';
import type { Scenario } from './scenario.js';
import type { SimSession } from './sessions.js';
import { clientTlsOptions } from './tls.js';

/** One connection to the server, as one PGW or IMS node would hold it. */
export class Peer {
  /** Requests waiting for answers, by Hop-by-Hop id, in the order they were sent. */
  readonly pending = new Map<number, SimSession>();
  open = true;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    if (this.open) this.client.uncork();
  };

  constructor(
    readonly index: number,
    readonly client: DiameterClient,
    readonly writer: CcrWriter,
    readonly originHost: string,
  ) {}

  /** Requests written in one turn of the event loop leave in one system call. */
  write(bytes: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.client.cork();
      process.nextTick(this.uncork);
    }
    this.client.write(bytes);
  }
}

export interface PeerEvents {
  answer(peer: Peer, frame: Buffer): void;
  /** A request of the server other than DWR and DPR (RAR, ASR). */
  request(peer: Peer, request: DiameterMessage): void;
  closed(peer: Peer): void;
}

/** The run's connections to the server, opened in turn and used in turn. */
export class PeerSet {
  readonly all: Peer[] = [];
  private next = 0;

  /**
   * Opens the scenario's peers one after the other with CER/CEA (RFC 6733 §5.3; the client
   * answers the server's DWRs by itself). A peer the server refuses closes them all.
   */
  async open(scenario: Scenario, dict: Dictionary, events: PeerEvents): Promise<void> {
    const { peers } = scenario;
    const tls = clientTlsOptions(peers.server.tls);
    for (let i = 0; i < peers.count; i++) {
      const client = new DiameterClient(peers.server.port, dict, peers.server.host, tls);
      const originHost = peers.originHost.replaceAll('{n}', String(i + 1));
      client.originHost = originHost;
      client.originRealm = peers.originRealm;
      let cea;
      try {
        cea = await client.open();
      } catch (err) {
        await Promise.all(this.all.map((p) => p.client.close()));
        throw new SimulatorError(
          `cannot open peer ${originHost} to ${peers.server.host}:${peers.server.port}: ${(err as Error).message}`,
        );
      }
      const rc = cea.get('Result-Code');
      if (rc !== ResultCode.SUCCESS) {
        await client.close();
        await Promise.all(this.all.map((p) => p.client.close()));
        throw new SimulatorError(
          `peer ${originHost}: the server answered the CER with Result-Code ${String(rc)}` +
            `${cea.get('Error-Message') ? ` (${String(cea.get('Error-Message'))})` : ''}`,
        );
      }
      const writer = new CcrWriter(dict, {
        originHost,
        originRealm: peers.originRealm,
        destinationRealm: peers.destinationRealm,
      });
      const peer = new Peer(i, client, writer, originHost);
      client.onAnswerFrame = (frame) => events.answer(peer, frame);
      client.onServerRequest = (request) => events.request(peer, request);
      client.onClose = () => events.closed(peer);
      this.all.push(peer);
    }
  }

  /** Orderly goodbye on every peer still open (DPR/DPA, RFC 6733 §5.4). */
  async close(): Promise<void> {
    await Promise.all(
      this.all.map(async (p) => {
        p.client.onAnswerFrame = undefined;
        p.client.onClose = undefined;
        if (!p.open) return;
        p.open = false;
        await p.client.disconnect().catch(() => p.client.close());
      }),
    );
  }

  at(index: number): Peer {
    return this.all[index]!;
  }

  /** The given peer when it is open, else the next open one in turn. */
  pick(preferred: number): Peer | undefined {
    const p = preferred >= 0 ? this.all[preferred] : undefined;
    if (p?.open) return p;
    for (let i = 0; i < this.all.length; i++) {
      const q = this.all[this.next++ % this.all.length]!;
      if (q.open) return q;
    }
    return undefined;
  }

  get anyOpen(): boolean {
    return this.all.some((p) => p.open);
  }
}
