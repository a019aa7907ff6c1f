import type { Socket } from 'node:net';
import type { Logger } from '../logging.js';
import { beginAnswer, encodeErrorAnswer, type ErrorDetail, type LocalIdentity } from './answers.js';
import { APPLICATION, COMMAND, VENDOR_3GPP, type Avps } from './avps.js';
import { readUnsigned32 } from './avp-value.js';
import { commonApplications, decodeCapabilities, type CapabilitiesRequest } from './capabilities.js';
import { DecodeError, FrameReader, decodeAvps, headerBitsProblem, readHeader } from './decode.js';
import type { AvpDefinition, Dictionary } from './dictionary.js';
import { MessageWriter } from './encode.js';
import {
  CommandFlags,
  HEADER_LENGTH,
  findAvp,
  type Avp,
  type DiameterMessage,
  type MessageHeader,
} from './message.js';
import { ResultCode } from '../errors/result-codes.js';
import { validateAvps } from './validate.js';
import { requestTypeLabel, resultCodeOf, type DiameterMetrics } from './metrics.js';

/** What an application handler is told about the peer that sent a request. */
export interface PeerInfo {
  readonly originHost: string;
  readonly originRealm: string;
  readonly remoteAddress: string;
}

/** Serves one command of one application for handshaken peers. */
export interface RequestHandler {
  readonly applicationId: number;
  readonly commandCode: number;
  /** AVPs every answer must copy from the request, even one that reports an error. */
  readonly echoOnError: readonly AvpDefinition[];
  /** Returns the encoded answer; a rejection is answered 5012 UNABLE_TO_COMPLY. */
  handle(request: DiameterMessage, peer: PeerInfo): Promise<Buffer>;
}

/** Admission control shared by all peers: past the limit, requests get 3004 TOO_BUSY. */
export interface Admission {
  tryAcquire(): boolean;
  release(): void;
}

export interface PeerOptions {
  dictionary: Dictionary;
  avps: Avps;
  identity: LocalIdentity;
  handlers: ReadonlyMap<string, RequestHandler>;
  /** Applications we announce in the CEA (Auth-Application-Id). */
  applicationIds: readonly number[];
  allowedPeers: readonly string[];
  watchdogMs: number;
  maxMessageBytes: number;
  admission: Admission;
  logger: Logger;
  metrics?: DiameterMetrics;
}

export function handlerKey(applicationId: number, commandCode: number): string {
  return `${applicationId}:${commandCode}`;
}

type State = 'wait-cer' | 'open' | 'closing' | 'closed';

/** RFC 6733 §5.4.3 Disconnect-Cause values. */
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

const REQUEST_TIMEOUT_MS = 5000;
/** RFC 4006 §8.3 CC-Request-Type, for the metrics' labels. */
const CC_REQUEST_TYPE = 416;
const CLOSE_GRACE_MS = 1000;

let nextHopByHop = (Math.random() * 0xffffffff) >>> 0;
let nextEndToEnd = ((Date.now() & 0xfff) << 20) | ((Math.random() * 0xfffff) >>> 0);

/**
 * One transport connection from a Diameter peer (RFC 6733 §5): capabilities exchange first,
 * then application requests, watchdog both ways (RFC 3539), orderly disconnect. Every
 * request gets an answer, malformed or not; a stream that can no longer be framed is
 * answered once and closed.
 */
export class PeerConnection implements PeerInfo {
  originHost = '';
  originRealm = '';
  readonly remoteAddress: string;
  private state: State = 'wait-cer';
  private readonly reader: FrameReader;
  private readonly writer = new MessageWriter();
  private readonly pending = new Map<
    number,
    { resolve(m: DiameterMessage): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  private watchdog: NodeJS.Timeout | undefined;
  private lastHeardMs = Date.now();
  /** When the message being handled was framed, for the latency of answers sent at once. */
  private receivedAt = 0;
  private watchdogOutstanding = false;
  private inFlight = 0;
  private corked = false;
  private readonly log: Logger;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: PeerOptions,
  ) {
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.log = options.logger.child({ peer: this.remoteAddress });
    this.reader = new FrameReader(options.maxMessageBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'transport error'));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.onClose();
        resolve();
      }),
    );
    this.armWatchdog();
    this.log.debug('connection accepted');
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get connectionState(): string {
    return this.state;
  }

  /** Sends a request to this peer and resolves with its answer (for DWR, DPR, RAR, ASR). */
  request(
    build: (w: MessageWriter, ids: { hopByHop: number; endToEnd: number }) => Buffer,
  ): Promise<DiameterMessage> {
    const hopByHop = (nextHopByHop = (nextHopByHop + 1) >>> 0);
    const endToEnd = (nextEndToEnd = (nextEndToEnd + 1) >>> 0);
    const message = build(new MessageWriter(), { hopByHop, endToEnd });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(hopByHop);
        reject(new Error(`no answer from ${this.describe()} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(hopByHop, { resolve, reject, timer });
      this.send(message);
    });
  }

  /** Orderly disconnect (RFC 6733 §5.4): DPR, wait for the DPA (or a timeout), close. */
  async disconnect(cause: number = DisconnectCause.REBOOTING): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closing';
      const { avps, identity } = this.options;
      try {
        await this.request((w, ids) =>
          w
            .begin({
              flags: CommandFlags.Request,
              commandCode: COMMAND.DISCONNECT_PEER,
              applicationId: 0,
              ...ids,
            })
            .text(avps.originHost, identity.originHost)
            .text(avps.originRealm, identity.originRealm)
            .integer32(avps.disconnectCause, cause)
            .finish(),
        );
      } catch (err) {
        this.log.info({ err: (err as Error).message }, 'no DPA; closing anyway');
      }
    }
    this.end();
    await this.closed;
  }

  /** Resolves once the transport has closed. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    this.lastHeardMs = Date.now();
    this.reader.push(chunk);
    for (;;) {
      const next = this.reader.next();
      if (next === undefined) return;
      if (Buffer.isBuffer(next)) {
        this.onMessage(next);
        continue;
      }
      this.log.warn(
        { reason: next.error.message, resultCode: next.error.resultCode },
        'unframeable message; closing',
      );
      if ((next.header.flags & CommandFlags.Request) !== 0) {
        this.receivedAt = performance.now();
        this.answer(
          next.header,
          [],
          this.errorAnswer(next.header, [], {
            resultCode: next.error.resultCode,
            reason: next.error.message,
          }),
        );
      }
      this.closeWhenAnswered();
      return;
    }
  }

  private onMessage(raw: Buffer): void {
    this.receivedAt = performance.now();
    const header = readHeader(raw);
    const request = (header.flags & CommandFlags.Request) !== 0;
    const capabilitiesExchange =
      header.commandCode === COMMAND.CAPABILITIES_EXCHANGE && header.applicationId === APPLICATION.COMMON;
    let avps: Avp[];
    try {
      avps = decodeAvps(raw, HEADER_LENGTH, header.length);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.log.warn({ command: header.commandCode, reason: err.message }, 'malformed AVPs');
      if (!request) return;
      if (this.state === 'wait-cer' && !capabilitiesExchange) {
        this.refuseBeforeCapabilities(header, err.decoded);
        return;
      }
      const echo = this.options.handlers.get(
        handlerKey(header.applicationId, header.commandCode),
      )?.echoOnError;
      this.answer(
        header,
        err.decoded,
        this.errorAnswer(
          header,
          err.decoded,
          { resultCode: err.resultCode, reason: err.message, failedAvp: err.failedAvp },
          echo,
        ),
      );
      if (this.state === 'wait-cer') this.end();
      return;
    }
    if (request && this.state === 'wait-cer' && !capabilitiesExchange) {
      this.refuseBeforeCapabilities(header, avps);
      return;
    }
    const message: DiameterMessage = { ...header, avps, raw };
    if ((header.flags & CommandFlags.Request) === 0) {
      this.onAnswer(message);
      return;
    }
    const bitsProblem = headerBitsProblem(header);
    if (bitsProblem) {
      this.reject(message, { resultCode: ResultCode.INVALID_HDR_BITS, reason: bitsProblem });
      return;
    }
    switch (this.state) {
      case 'wait-cer':
        this.onCapabilitiesExchange(message);
        return;
      case 'open':
      case 'closing':
        this.onOpenRequest(message);
        return;
      case 'closed':
        return;
    }
  }

  /** RFC 6733 §5.6: nothing but a CER is served before the capabilities exchange. */
  private refuseBeforeCapabilities(header: MessageHeader, avps: readonly Avp[]): void {
    this.reject(
      { ...header, avps, raw: Buffer.alloc(0) },
      { resultCode: ResultCode.UNKNOWN_PEER, reason: 'capabilities exchange (CER) must come first' },
    );
    this.end();
  }

  private onOpenRequest(message: DiameterMessage): void {
    if (message.applicationId === APPLICATION.COMMON) {
      switch (message.commandCode) {
        case COMMAND.DEVICE_WATCHDOG:
          if (this.validate(message))
            this.answer(message, message.avps, this.baseAnswer(message, ResultCode.SUCCESS));
          return;
        case COMMAND.DISCONNECT_PEER:
          if (!this.validate(message)) return;
          this.log.info({ originHost: this.originHost }, 'peer disconnects (DPR)');
          this.answer(message, message.avps, this.baseAnswer(message, ResultCode.SUCCESS));
          this.state = 'closing';
          this.endWhenIdle();
          return;
        case COMMAND.CAPABILITIES_EXCHANGE:
          this.reject(message, {
            resultCode: ResultCode.UNABLE_TO_COMPLY,
            reason: 'capabilities were already exchanged',
          });
          return;
      }
    }
    if (this.state === 'closing') {
      this.reject(message, { resultCode: ResultCode.UNABLE_TO_COMPLY, reason: 'the connection is closing' });
      return;
    }
    const handler = this.options.handlers.get(handlerKey(message.applicationId, message.commandCode));
    if (!handler) {
      const supported =
        message.applicationId === APPLICATION.COMMON ||
        this.options.applicationIds.includes(message.applicationId);
      this.reject(
        message,
        supported
          ? {
              resultCode: ResultCode.COMMAND_UNSUPPORTED,
              reason: `command ${message.commandCode} is not served`,
            }
          : {
              resultCode: ResultCode.APPLICATION_UNSUPPORTED,
              reason: `application ${message.applicationId} is not served`,
            },
      );
      return;
    }
    if (!this.validate(message, handler.echoOnError)) return;
    if (!this.options.admission.tryAcquire()) {
      this.reject(message, { resultCode: ResultCode.TOO_BUSY, reason: 'too many requests in progress' });
      return;
    }
    this.inFlight++;
    const startedAt = this.receivedAt;
    handler.handle(message, this).then(
      (answer) => this.finishRequest(message, answer, startedAt),
      (err: unknown) => {
        this.log.error({ err, command: message.commandCode }, 'request handler failed');
        this.finishRequest(
          message,
          this.errorAnswer(
            message,
            message.avps,
            { resultCode: ResultCode.UNABLE_TO_COMPLY, reason: 'internal error' },
            handler.echoOnError,
          ),
          startedAt,
        );
      },
    );
  }

  private finishRequest(request: DiameterMessage, answer: Buffer, startedAt: number): void {
    this.options.admission.release();
    this.inFlight--;
    if (this.state !== 'closed') this.answer(request, request.avps, answer, startedAt);
    if (this.state === 'closing' && this.inFlight === 0) this.endWhenIdle();
  }

  private onCapabilitiesExchange(message: DiameterMessage): void {
    if (!this.validate(message)) {
      this.end();
      return;
    }
    const cer = decodeCapabilities(this.options.avps, message.avps);
    const { allowedPeers, applicationIds } = this.options;
    if (allowedPeers.length > 0 && !allowedPeers.includes(cer.originHost)) {
      this.log.warn({ originHost: cer.originHost }, 'peer not in the allow-list; refused');
      this.answer(
        message,
        message.avps,
        this.capabilitiesAnswer(message, ResultCode.UNKNOWN_PEER, `${cer.originHost} is not an allowed peer`),
      );
      this.end();
      return;
    }
    const common = commonApplications(cer, applicationIds);
    if (common.length === 0) {
      this.log.warn(
        { originHost: cer.originHost, offered: cer.authApplicationIds },
        'no common application; refused',
      );
      this.answer(
        message,
        message.avps,
        this.capabilitiesAnswer(message, ResultCode.NO_COMMON_APPLICATION, 'no common application'),
      );
      this.end();
      return;
    }
    this.originHost = cer.originHost;
    this.originRealm = cer.originRealm;
    this.state = 'open';
    this.log.info(capabilitiesLog(cer), 'peer open');
    this.answer(message, message.avps, this.capabilitiesAnswer(message, ResultCode.SUCCESS));
  }

  private capabilitiesAnswer(request: DiameterMessage, resultCode: number, reason?: string): Buffer {
    const { avps, identity, applicationIds } = this.options;
    const w = beginAnswer(this.writer, avps, identity, request, resultCode, undefined);
    w.address(avps.hostIpAddress, normaliseLocalAddress(this.socket.localAddress));
    w.unsigned32(avps.vendorId, identity.vendorId);
    w.text(avps.productName, identity.productName);
    w.unsigned32(avps.originStateId, identity.originStateId);
    w.unsigned32(avps.supportedVendorId, VENDOR_3GPP);
    for (const id of applicationIds) w.unsigned32(avps.authApplicationId, id);
    w.unsigned32(avps.firmwareRevision, identity.firmwareRevision);
    if (reason) w.text(avps.errorMessage, reason);
    return w.finish();
  }

  private baseAnswer(request: DiameterMessage, resultCode: number): Buffer {
    const { avps, identity } = this.options;
    return beginAnswer(this.writer, avps, identity, request, resultCode, undefined)
      .unsigned32(avps.originStateId, identity.originStateId)
      .finish();
  }

  /** Validates a request against its command's grammar; answers the error and returns false when bad. */
  private validate(message: DiameterMessage, echo: readonly AvpDefinition[] = []): boolean {
    const command = this.options.dictionary.command(message.commandCode, message.applicationId);
    const failure = validateAvps(this.options.dictionary, message.avps, command?.request);
    if (!failure) return true;
    this.reject(message, failure, echo);
    return false;
  }

  private reject(message: DiameterMessage, error: ErrorDetail, echo: readonly AvpDefinition[] = []): void {
    this.log.warn(
      {
        originHost: this.originHost || undefined,
        command: message.commandCode,
        application: message.applicationId,
        resultCode: error.resultCode,
        reason: error.reason,
        failedAvp: error.failedAvp
          ? { code: error.failedAvp.code, vendorId: error.failedAvp.vendorId }
          : undefined,
      },
      'request refused',
    );
    this.options.metrics?.protocolErrors.inc({ result_code: String(error.resultCode) });
    this.answer(message, message.avps, this.errorAnswer(message, message.avps, error, echo));
  }

  private errorAnswer(
    header: MessageHeader,
    avps: readonly Avp[],
    error: ErrorDetail,
    echo: readonly AvpDefinition[] = [],
  ): Buffer {
    return encodeErrorAnswer(
      this.writer,
      this.options.avps,
      this.options.identity,
      header,
      avps,
      error,
      echo,
    );
  }

  private onAnswer(message: DiameterMessage): void {
    const waiter = this.pending.get(message.hopByHop);
    if (!waiter) {
      this.log.debug(
        { command: message.commandCode, hopByHop: message.hopByHop },
        'answer to no request of ours; dropped',
      );
      return;
    }
    this.pending.delete(message.hopByHop);
    clearTimeout(waiter.timer);
    if (message.commandCode === COMMAND.DEVICE_WATCHDOG) this.watchdogOutstanding = false;
    waiter.resolve(message);
  }

  /**
   * RFC 3539 §3.4.1: Tw (with up to ±2 s of jitter, never more than a quarter of Tw) after
   * the last message heard, send a DWR; if the peer stays silent for another Tw, the
   * connection is dead and is closed. A connection without a capabilities exchange within
   * Tw is closed.
   */
  private armWatchdog(delayMs = this.watchdogDelay()): void {
    this.watchdog = setTimeout(() => this.onWatchdog(), delayMs);
  }

  private watchdogDelay(): number {
    const spread = Math.min(2000, Math.floor(this.options.watchdogMs / 4));
    return this.options.watchdogMs + Math.floor((Math.random() * 2 - 1) * spread);
  }

  private onWatchdog(): void {
    if (this.state === 'closed') return;
    if (this.state === 'wait-cer') {
      this.log.info('no capabilities exchange in time; closing');
      this.end();
      return;
    }
    const quietFor = Date.now() - this.lastHeardMs;
    if (quietFor < this.options.watchdogMs) {
      this.armWatchdog(this.watchdogDelay() - quietFor);
      return;
    }
    if (this.watchdogOutstanding) {
      this.log.warn({ originHost: this.originHost }, 'peer silent past the watchdog; closing');
      this.options.metrics?.watchdogFailures.inc();
      this.socket.destroy();
      return;
    }
    this.watchdogOutstanding = true;
    const { avps, identity } = this.options;
    this.request((w, ids) =>
      w
        .begin({
          flags: CommandFlags.Request,
          commandCode: COMMAND.DEVICE_WATCHDOG,
          applicationId: 0,
          ...ids,
        })
        .text(avps.originHost, identity.originHost)
        .text(avps.originRealm, identity.originRealm)
        .unsigned32(avps.originStateId, identity.originStateId)
        .finish(),
    ).then(
      (dwa) => {
        const rc = findAvp(dwa.avps, avps.resultCode.code);
        if (rc && readUnsigned32(rc) !== ResultCode.SUCCESS) {
          this.log.warn({ resultCode: readUnsigned32(rc) }, 'DWA not successful');
        }
      },
      () => undefined,
    );
    // The DWA resets lastHeardMs; without it the next expiry closes the connection.
    this.armWatchdog();
  }

  /** Sends the answer to a request, counting it and its latency. */
  private answer(
    request: MessageHeader,
    avps: readonly Avp[],
    answer: Buffer,
    startedAt = this.receivedAt,
  ): void {
    const metrics = this.options.metrics;
    if (metrics) {
      const type =
        request.commandCode === COMMAND.CREDIT_CONTROL ? findAvp(avps, CC_REQUEST_TYPE) : undefined;
      const requestType = type && type.data.length === 4 ? requestTypeLabel(type.data.readInt32BE(0)) : '';
      metrics.answered(
        request.commandCode,
        requestType,
        resultCodeOf(answer),
        (performance.now() - startedAt) / 1000,
      );
    }
    this.send(answer);
  }

  private send(message: Buffer): void {
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

  /** Stops taking requests and closes once those in progress have been answered. */
  private closeWhenAnswered(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.endWhenIdle();
  }

  private endWhenIdle(): void {
    if (this.inFlight === 0) this.end();
  }

  private end(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private onClose(): void {
    this.state = 'closed';
    clearTimeout(this.watchdog);
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('connection closed'));
    }
    this.pending.clear();
    this.log.info({ originHost: this.originHost || undefined }, 'connection closed');
  }

  private describe(): string {
    return this.originHost ? `${this.originHost} (${this.remoteAddress})` : this.remoteAddress;
  }
}

function capabilitiesLog(cer: CapabilitiesRequest): Record<string, unknown> {
  return {
    originHost: cer.originHost,
    originRealm: cer.originRealm,
    productName: cer.productName,
    applications: cer.authApplicationIds,
  };
}

/** A socket's local address as an IP for Host-IP-Address (IPv4-mapped IPv6 shown as IPv4). */
function normaliseLocalAddress(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
