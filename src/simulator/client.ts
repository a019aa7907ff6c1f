import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { encodeMessage, decodeTree, type AvpEntry, type DecodedAvp } from '../diameter/avp-tree.js';
import { decodeMessage } from '../diameter/decode.js';
import { FrameReader } from '../diameter/frame-reader.js';
import {
  DictionaryError,
  defaultDictionary,
  type CommandDefinition,
  type Dictionary,
} from '../diameter/dictionary.js';
import { readText } from '../diameter/avp-value.js';
import { CommandFlags, findAvp, type DiameterMessage } from '../diameter/message.js';
import { ResultCode } from '../errors/result-codes.js';
import { hopByHopOf } from './header.js';

/** A received answer with its AVPs by name, for assertions AVP by AVP. */
export interface ReceivedAnswer {
  message: DiameterMessage;
  tree: DecodedAvp[];
  errorBit: boolean;
  /** First top-level AVP of that name (its value), or undefined. */
  get(name: string): DecodedAvp['value'] | undefined;
  all(name: string): DecodedAvp['value'][];
}

export function answerView(dict: Dictionary, message: DiameterMessage): ReceivedAnswer {
  const tree = decodeTree(dict, message.avps);
  return {
    message,
    tree,
    errorBit: (message.flags & CommandFlags.Error) !== 0,
    get: (name) => tree.find((a) => a.name === name)?.value,
    all: (name) => tree.filter((a) => a.name === name).map((a) => a.value),
  };
}

/** The first member of that name inside a decoded grouped value. */
export function member(
  value: DecodedAvp['value'] | undefined,
  name: string,
): DecodedAvp['value'] | undefined {
  return Array.isArray(value) ? value.find((a) => a.name === name)?.value : undefined;
}

export function members(value: DecodedAvp['value'] | undefined, name: string): DecodedAvp['value'][] {
  return Array.isArray(value) ? value.filter((a) => a.name === name).map((a) => a.value) : [];
}

/** The id the dictionary gives a vendor (RFC 6733 §5.3.3: its IANA enterprise code). */
function vendorId(dict: Dictionary, name: string): number {
  for (const [id, vendor] of dict.vendorNames) if (vendor === name) return id;
  throw new DictionaryError(`no vendor named ${name} in the loaded dictionaries`);
}

/**
 * A Diameter client peer: connects over TCP, or TLS when given its options (RFC 6733 §2.1: the
 * handshake before the CER), does CER/CEA, sends requests built from AVP names, matches
 * answers by hop-by-hop id, and answers the server's DWR and DPR by itself. The demo, the
 * simulator and the end-to-end tests drive the server with it.
 */
export class DiameterClient {
  readonly dict: Dictionary;
  /** RFC 4006 §3: the command and application of credit control. */
  readonly creditControl: CommandDefinition;
  private readonly capabilities: CommandDefinition;
  private readonly watchdog: CommandDefinition;
  private readonly disconnectPeer: CommandDefinition;
  private socket!: Socket;
  private readonly reader = new FrameReader(1 << 20);
  private hopByHop = 1000;
  private readonly waiting = new Map<number, (m: DiameterMessage) => void>();
  readonly serverRequests: DiameterMessage[] = [];
  private closedPromise!: Promise<void>;
  closed = false;
  originHost = 'client.ocs.example';
  originRealm = 'ocs.example';
  /**
   * Answers that no `request()` waits for, as the raw frame (valid only during the call): the
   * load simulator reads them by offset instead of decoding them.
   */
  onAnswerFrame: ((frame: Buffer) => void) | undefined;
  /** Called once when the connection closes, for whatever reason. */
  onClose: (() => void) | undefined;
  /**
   * A request of the server other than DWR and DPR (a RAR, an ASR): left unanswered unless this
   * answers it (answerServerRequest).
   */
  onServerRequest: ((request: DiameterMessage) => void) | undefined;

  constructor(
    private readonly port: number,
    dict: Dictionary = defaultDictionary(),
    private readonly host = '127.0.0.1',
    /** TLS: the CAs to trust, our certificate and key, the server's name (default: `host`). */
    private readonly tls?: ConnectionOptions,
  ) {
    this.dict = dict;
    this.creditControl = dict.commandByName('Credit-Control');
    this.capabilities = dict.commandByName('Capabilities-Exchange');
    this.watchdog = dict.commandByName('Device-Watchdog');
    this.disconnectPeer = dict.commandByName('Disconnect-Peer');
  }

  async connect(): Promise<this> {
    const { port, host, tls } = this;
    this.socket = tls ? connectTls({ ...tls, port, host }) : connect({ port, host });
    this.socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.closed = true;
        resolve();
        this.onClose?.();
      }),
    );
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    await new Promise<void>((resolve, reject) => {
      this.socket.once(tls ? 'secureConnect' : 'connect', resolve);
      this.socket.once('error', reject);
    });
    return this;
  }

  /** Connects and completes CER/CEA (credit control by default); returns the CEA. */
  async open(extra?: AvpEntry[]): Promise<ReceivedAnswer> {
    await this.connect();
    return this.capabilitiesExchange(extra);
  }

  capabilitiesExchange(
    applications: AvpEntry[] = [['Auth-Application-Id', this.creditControl.applicationId]],
  ): Promise<ReceivedAnswer> {
    return this.request(this.capabilities.code, this.capabilities.applicationId, [
      ['Origin-Host', this.originHost],
      ['Origin-Realm', this.originRealm],
      ['Host-IP-Address', '127.0.0.1'],
      ['Vendor-Id', vendorId(this.dict, 'IETF')],
      ['Product-Name', 'ocs-client'],
      ['Supported-Vendor-Id', vendorId(this.dict, '3GPP')],
      ...applications,
    ]);
  }

  request(
    commandCode: number,
    applicationId: number,
    avps: readonly AvpEntry[],
    flags: { retransmitted?: boolean; proxiable?: boolean } = {},
  ): Promise<ReceivedAnswer> {
    const hopByHop = ++this.hopByHop;
    const bytes = encodeMessage(this.dict, {
      commandCode,
      applicationId,
      request: true,
      proxiable: flags.proxiable ?? applicationId !== 0,
      retransmitted: flags.retransmitted ?? false,
      hopByHop,
      endToEnd: hopByHop,
      avps,
    });
    return this.sendRaw(bytes, hopByHop);
  }

  /** Sends bytes as they are and waits for the answer with this hop-by-hop id. */
  sendRaw(bytes: Buffer, hopByHop: number, timeoutMs = 5000): Promise<ReceivedAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(hopByHop);
        reject(new Error(`no answer for hop-by-hop ${hopByHop} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(hopByHop, (m) => {
        clearTimeout(timer);
        // An answer with a malformed value is the server's fault: it fails this request only.
        try {
          resolve(answerView(this.dict, m));
        } catch (err) {
          reject(err as Error);
        }
      });
      this.socket.write(bytes);
    });
  }

  /** Writes bytes without waiting for anything. */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Holds writes until `uncork()`, so that many requests leave in one system call. */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  nextHopByHop(): number {
    return ++this.hopByHop;
  }

  whenClosed(timeoutMs = 5000): Promise<boolean> {
    return Promise.race([
      this.closedPromise.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
  }

  /** Orderly goodbye (RFC 6733 §5.4): DPR, then close once the DPA is in. */
  async disconnect(): Promise<void> {
    await this.request(this.disconnectPeer.code, this.disconnectPeer.applicationId, [
      ['Origin-Host', this.originHost],
      ['Origin-Realm', this.originRealm],
      ['Disconnect-Cause', 'REBOOTING'],
    ]);
    await this.close();
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closedPromise;
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    for (;;) {
      const next = this.reader.next();
      if (next === undefined) return;
      if (!Buffer.isBuffer(next)) {
        this.socket.destroy(next.error);
        return;
      }
      if (next[4]! & CommandFlags.Request) {
        const message = decodeMessage(next);
        this.serverRequests.push(message);
        const code = message.commandCode;
        if (code === this.watchdog.code || code === this.disconnectPeer.code) this.answerBase(message);
        else this.onServerRequest?.(message);
        continue;
      }
      // Only the header is read until it is known who wants the answer.
      const hopByHop = hopByHopOf(next);
      const waiter = this.waiting.get(hopByHop);
      if (waiter) {
        this.waiting.delete(hopByHop);
        waiter(decodeMessage(next));
      } else {
        this.onAnswerFrame?.(next);
      }
    }
  }

  /**
   * Answers a request of the server (RAA to a RAR, RFC 6733 §8.3.2; ASA to an ASR, §8.5.2) with
   * its Session-Id first, as both answers begin, and the Result-Code given.
   */
  answerServerRequest(request: DiameterMessage, resultCode: number): void {
    const sessionId = findAvp(request.avps, this.dict.avpByName('Session-Id').code);
    this.socket.write(
      encodeMessage(this.dict, {
        commandCode: request.commandCode,
        applicationId: request.applicationId,
        request: false,
        proxiable: (request.flags & CommandFlags.Proxiable) !== 0,
        hopByHop: request.hopByHop,
        endToEnd: request.endToEnd,
        avps: [
          ...(sessionId ? [['Session-Id', readText(sessionId)] as AvpEntry] : []),
          ['Result-Code', resultCode],
          ['Origin-Host', this.originHost],
          ['Origin-Realm', this.originRealm],
        ],
      }),
    );
  }

  /**
   * A DWR gets its DWA (RFC 6733 §5.5.2), a DPR its DPA (§5.4.2), after which the server, the
   * DPA's receiver, closes the connection.
   */
  private answerBase(request: DiameterMessage): void {
    this.socket.write(
      encodeMessage(this.dict, {
        commandCode: request.commandCode,
        applicationId: request.applicationId,
        request: false,
        hopByHop: request.hopByHop,
        endToEnd: request.endToEnd,
        avps: [
          ['Result-Code', ResultCode.SUCCESS],
          ['Origin-Host', this.originHost],
          ['Origin-Realm', this.originRealm],
        ],
      }),
    );
  }
}
