import type { LocalIdentity } from '../diameter/answers.js';
import type { Avps } from '../diameter/avps.js';
import type { PeerConnection } from '../diameter/peer.js';
import { ResultCode } from '../errors/result-codes.js';
import type { Logger } from '../logging.js';
import type { NetworkRequestMetrics } from './metrics.js';
import type { NetworkRequestKind, Outcome, RequestResult, SessionTarget, Trigger } from './types.js';
import { isFinalAnswer, networkRequest, resultCodeOf } from './wire.js';

/** The open connection of a peer on this instance (DiameterServer.openPeer). */
export interface PeerLookup {
  openPeer(originHost: string): PeerConnection | undefined;
}

/** How each request is sent: attempts in all and the answer timeout of each. */
export interface SendPolicy {
  attempts: number;
  answerTimeoutMs: number;
}

export interface LocalSenderDeps {
  peers: PeerLookup;
  avps: Avps;
  identity: LocalIdentity;
  policy: SendPolicy;
  logger: Logger;
  instanceId: string;
  metrics?: NetworkRequestMetrics;
  /** The client answered 5002: it no longer knows the session, which is closed here. */
  unknownAtClient(target: SessionTarget): Promise<void>;
}

/**
 * Sends a RAR or ASR over this instance's connection to the session's peer and waits for the
 * answer, retrying a bounded number of times (wire.ts says which answers are final), then
 * counts and logs the outcome.
 */
export class LocalSender {
  constructor(private readonly deps: LocalSenderDeps) {}

  holds(peer: string): boolean {
    return this.deps.peers.openPeer(peer) !== undefined;
  }

  async send(kind: NetworkRequestKind, target: SessionTarget, trigger: Trigger): Promise<RequestResult> {
    const { peers, avps, identity, policy, logger, metrics, instanceId } = this.deps;
    const done = (outcome: Outcome, resultCode?: number): RequestResult => {
      metrics?.count(kind, trigger, outcome);
      const result: RequestResult = { sessionId: target.sessionId, kind, outcome, instance: instanceId };
      if (resultCode !== undefined) result.resultCode = resultCode;
      const log = { kind, trigger, outcome, resultCode, sessionId: target.sessionId, peer: target.peer };
      if (outcome === 'success') logger.info(log, `${kind.toUpperCase()} answered`);
      else logger.warn(log, `${kind.toUpperCase()} not successful`);
      return result;
    };
    const connection = peers.openPeer(target.peer);
    if (!connection) return done('no_peer');
    const sent = await connection.requestWithRetries(networkRequest(kind, avps, identity, target), {
      attempts: policy.attempts,
      timeoutMs: policy.answerTimeoutMs,
      final: (answer) => isFinalAnswer(resultCodeOf(avps, answer)),
      pauseMs: (attempt) => Math.min(1000, 100 * 2 ** (attempt - 1)),
    });
    if (!sent.answer) return done('no_answer');
    const resultCode = resultCodeOf(avps, sent.answer);
    if (resultCode === ResultCode.SUCCESS || resultCode === ResultCode.LIMITED_SUCCESS)
      return done('success', resultCode);
    if (resultCode === ResultCode.UNKNOWN_SESSION_ID) {
      await this.deps.unknownAtClient(target).catch((err: unknown) => {
        logger.warn(
          { err, sessionId: target.sessionId },
          'could not close a session the client no longer knows',
        );
      });
      return done('unknown_session', resultCode);
    }
    return done('error', resultCode);
  }
}
