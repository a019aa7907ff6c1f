import type { AvpDefinition } from '../dictionary.js';
import type { DiameterMessage } from '../message.js';

/** What an application handler is told about the peer that sent a request. */
export interface PeerInfo {
  readonly originHost: string;
  readonly originRealm: string;
  readonly remoteAddress: string;
}

/**
 * Told when a peer's connection opens (capabilities exchanged) and when an open one closes: how
 * the instance keeps the registry of the peers it can send requests to (src/network-requests/).
 */
export interface PeerEvents {
  opened(peer: PeerInfo): void;
  closed(peer: PeerInfo): void;
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

export function handlerKey(applicationId: number, commandCode: number): string {
  return `${applicationId}:${commandCode}`;
}
