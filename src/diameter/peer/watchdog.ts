import type { Logger } from '../../logging.js';
import { COMMAND } from '../avps.js';
import { readUnsigned32 } from '../avp-value.js';
import { ResultCode } from '../../errors/result-codes.js';
import { CommandFlags, findAvp, type DiameterMessage } from '../message.js';
import type { AnswerSender } from './answer-sender.js';
import type { PeerOptions } from './options.js';
import type { RequestBuilder } from './outgoing-requests.js';
import type { PeerState } from './state.js';

/** What the watchdog sees of its peer and may do to it. */
export interface WatchdogPeer {
  state(): PeerState;
  originHost(): string;
  /** Closes in order: a peer that never sent its CER. */
  end(): void;
  /** Drops the transport at once: a peer that stopped answering. */
  destroy(): void;
  request(build: RequestBuilder): Promise<DiameterMessage>;
}

/**
 * RFC 3539 §3.4.1: Tw (with up to ±2 s of jitter, never more than a quarter of Tw) after
 * the last message heard, send a DWR; if the peer stays silent for another Tw, the
 * connection is dead and is closed. A connection without a capabilities exchange within
 * Tw is closed.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private lastHeardMs = Date.now();
  private outstanding = false;

  constructor(
    private readonly options: PeerOptions,
    private readonly log: Logger,
    private readonly peer: WatchdogPeer,
  ) {}

  start(): void {
    this.arm();
  }

  /** Anything the peer sends shows it is alive. */
  heard(): void {
    this.lastHeardMs = Date.now();
  }

  /** A DWA came back: the peer answers, the next silence starts a new round. */
  answered(): void {
    this.outstanding = false;
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(delayMs = this.delay()): void {
    this.timer = setTimeout(() => this.expire(), delayMs);
  }

  private delay(): number {
    const spread = Math.min(2000, Math.floor(this.options.watchdogMs / 4));
    return this.options.watchdogMs + Math.floor((Math.random() * 2 - 1) * spread);
  }

  private expire(): void {
    const state = this.peer.state();
    if (state === 'closed') return;
    if (state === 'wait-cer') {
      this.log.info('no capabilities exchange in time; closing');
      this.peer.end();
      return;
    }
    const quietFor = Date.now() - this.lastHeardMs;
    if (quietFor < this.options.watchdogMs) {
      this.arm(this.delay() - quietFor);
      return;
    }
    if (this.outstanding) {
      this.log.warn({ originHost: this.peer.originHost() }, 'peer silent past the watchdog; closing');
      this.options.metrics?.watchdogFailures.inc();
      this.peer.destroy();
      return;
    }
    this.outstanding = true;
    this.peer.request(this.deviceWatchdogRequest()).then(
      (dwa) => {
        const rc = findAvp(dwa.avps, this.options.avps.resultCode.code);
        if (rc && readUnsigned32(rc) !== ResultCode.SUCCESS) {
          this.log.warn({ resultCode: readUnsigned32(rc) }, 'DWA not successful');
        }
      },
      () => undefined,
    );
    // The DWA resets lastHeardMs; without it the next expiry closes the connection.
    this.arm();
  }

  /** RFC 6733 §5.5.1 Device-Watchdog-Request. */
  private deviceWatchdogRequest(): RequestBuilder {
    const { avps, identity } = this.options;
    return (w, ids) =>
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
        .finish();
  }
}

/** RFC 6733 §5.5.2: a peer's DWR is answered with a DWA at once. */
export function answerDeviceWatchdog(replies: AnswerSender, request: DiameterMessage): void {
  if (replies.validate(request))
    replies.answer(request, request.avps, replies.baseAnswer(request, ResultCode.SUCCESS));
}
