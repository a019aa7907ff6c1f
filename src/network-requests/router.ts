import { randomUUID } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import type { Logger } from '../logging.js';
import type { NetworkKeys } from './keys.js';
import { parseChannelMessage, resultMessage, type SendRequest } from './messages.js';
import type { NetworkRequestMetrics } from './metrics.js';
import type { PeerRegistry } from './peer-registry.js';
import type { LocalSender } from './sender.js';
import type { NetworkRequestKind, RequestResult, SessionTarget, Trigger } from './types.js';

export interface RouterDeps {
  redis: Redis | Cluster;
  keys: NetworkKeys;
  instanceId: string;
  registry: Pick<PeerRegistry, 'holders'>;
  logger: Logger;
  /** This instance's sender; absent for a process without Diameter connections (`ocs topup`). */
  local?: LocalSender;
  metrics?: NetworkRequestMetrics;
  /** How long an asker waits for another instance's result before it gives up (no_answer). */
  replyTimeoutMs: number;
}

interface Waiting {
  resolve(result: RequestResult): void;
  timer: NodeJS.Timeout;
}

/**
 * Gets a RAR or ASR sent by the instance that holds a connection to the session's peer: this
 * one when it does, else each instance the registry names (the one that served the session's
 * last request first) over its pub/sub channel until one takes it. `wait` waits for the
 * answer's outcome (the operator's routes); otherwise the request is handed over and the
 * sender counts its outcome. No holder at all is `no_peer`, counted here.
 */
export class NetworkRequestRouter {
  private subscriber: Redis | Cluster | undefined;
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly deps: RouterDeps) {}

  /** Takes requests and results on this instance's channel until close(). */
  async start(): Promise<void> {
    const { redis } = this.deps;
    // A subscribed connection runs no other command: one of its own.
    const subscriber: Redis | Cluster = redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
    const channel = this.deps.keys.instanceChannel(this.deps.instanceId);
    subscriber.on('message', (from: string, raw: string) => {
      if (from === channel) this.onMessage(raw);
    });
    try {
      await subscriber.subscribe(channel);
    } catch (err) {
      subscriber.disconnect();
      throw err;
    }
    this.subscriber = subscriber;
  }

  async close(): Promise<void> {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
    }
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    this.subscriber = undefined;
  }

  async dispatch(
    kind: NetworkRequestKind,
    target: SessionTarget,
    trigger: Trigger,
    options: { wait: boolean },
  ): Promise<RequestResult> {
    const { local, registry, instanceId, metrics } = this.deps;
    if (local?.holds(target.peer)) {
      const sending = local.send(kind, target, trigger);
      if (options.wait) return sending;
      sending.catch((err: unknown) => this.deps.logger.warn({ err, kind }, 'network request failed'));
      return { sessionId: target.sessionId, kind, outcome: 'sent', instance: instanceId };
    }
    const holders = (await registry.holders(target.peer)).filter((h) => h !== instanceId);
    if (target.instance && holders.includes(target.instance))
      holders.sort((a, b) => Number(b === target.instance) - Number(a === target.instance));
    const wait = options.wait && this.subscriber !== undefined;
    for (const holder of holders) {
      const id = randomUUID();
      const message: SendRequest = {
        type: 'send',
        id,
        kind,
        trigger,
        target,
        ...(wait ? { replyTo: instanceId } : {}),
      };
      const result = wait ? this.awaitResult(id, kind, target.sessionId) : undefined;
      const receivers = await this.deps.redis.publish(
        this.deps.keys.instanceChannel(holder),
        JSON.stringify(message),
      );
      if (receivers > 0)
        return result ? result : { sessionId: target.sessionId, kind, outcome: 'sent', instance: holder };
      // Gone without removing its entry (it died): the next holder, if any.
      this.cancel(id);
    }
    metrics?.count(kind, trigger, 'no_peer');
    this.deps.logger.warn(
      { kind, trigger, sessionId: target.sessionId, peer: target.peer },
      'no instance holds a connection to the peer',
    );
    return { sessionId: target.sessionId, kind, outcome: 'no_peer' };
  }

  private awaitResult(id: string, kind: NetworkRequestKind, sessionId: string): Promise<RequestResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ sessionId, kind, outcome: 'no_answer' });
      }, this.deps.replyTimeoutMs);
      this.waiting.set(id, { resolve, timer });
    });
  }

  private cancel(id: string): void {
    const w = this.waiting.get(id);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(id);
  }

  private onMessage(raw: string): void {
    const message = parseChannelMessage(raw);
    if (!message) {
      this.deps.logger.warn('network requests: a message of unknown shape on this instance channel; dropped');
      return;
    }
    if (message.type === 'result') {
      const w = this.waiting.get(message.id);
      if (!w) return;
      this.cancel(message.id);
      const { resultCode, instance, ...rest } = message.result;
      w.resolve({
        ...rest,
        ...(resultCode !== undefined ? { resultCode } : {}),
        ...(instance ? { instance } : {}),
      });
      return;
    }
    void this.sendFor(message);
  }

  /** Another instance's request: sent over this instance's connection, the result published back. */
  private async sendFor(message: SendRequest): Promise<void> {
    const { local, logger, redis, keys } = this.deps;
    const { target: t } = message;
    const target: SessionTarget = {
      msisdn: t.msisdn,
      sessionId: t.sessionId,
      originHost: t.originHost,
      originRealm: t.originRealm,
      peer: t.peer,
      ...(t.instance ? { instance: t.instance } : {}),
      ...(t.ratingGroup !== undefined ? { ratingGroup: t.ratingGroup } : {}),
    };
    try {
      const result = local
        ? await local.send(message.kind, target, message.trigger)
        : ({ sessionId: target.sessionId, kind: message.kind, outcome: 'no_peer' } as const);
      if (message.replyTo)
        await redis.publish(keys.instanceChannel(message.replyTo), resultMessage(message.id, result));
    } catch (err) {
      logger.warn(
        { err, kind: message.kind, sessionId: target.sessionId },
        'network request for another instance failed',
      );
    }
  }
}
