/**
 * A responder's side of the peer state machine (RFC 6733 §5.6): accepted and waiting for the
 * CER, open (R-Open), closing (after a DPR either way, while requests in progress are
 * answered), closed.
 */
export type PeerState = 'wait-cer' | 'open' | 'closing' | 'closed';
