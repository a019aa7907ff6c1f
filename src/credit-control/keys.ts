/**
 * Redis keys of credit-control sessions and CDRs, built here only. Keys of one account carry
 * its MSISDN as hash tag, like the balance store's, so they live in the account's slot.
 */
export class SessionKeys {
  constructor(readonly prefix = '') {}

  /** String: the session record (JSON). */
  session(msisdn: string, sessionId: string): string {
    return `${this.prefix}sess:{${msisdn}}:${sessionId}`;
  }

  /** String: the MSISDN a Session-Id belongs to, for requests without Subscription-Id. */
  sessionOwner(sessionId: string): string {
    return `${this.prefix}sid:${sessionId}`;
  }

  /** Sorted set: `<msisdn>|<sessionId>` -> time (ms) after which the session is closed by Tcc. */
  supervision(): string {
    return `${this.prefix}sess-supervision`;
  }

  /** Stream: the account's CDRs. */
  cdrs(msisdn: string): string {
    return `${this.prefix}cdr:{${msisdn}}`;
  }

  /** String: the MSISDN of an IMSI, NAI or SIP URI identity. */
  alias(type: string, value: string): string {
    return `${this.prefix}alias:${type}:${value}`;
  }
}
