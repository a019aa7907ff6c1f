/** Admission control shared by all peers: past the limit, requests get 3004 TOO_BUSY. */
export interface Admission {
  tryAcquire(): boolean;
  release(): void;
  /** The server is shutting down: every request is refused, whatever the count. */
  readonly draining: boolean;
}

/**
 * Requests in progress across all peers before new ones are answered 3004 TOO_BUSY. Past its
 * capacity a server only queues: at ~6,700 CCR/s, 2,000 in progress is ~0.3 s of waiting, while
 * 3004 tells the client at once to try another peer (RFC 6733 §7.1.3).
 */
export const DEFAULT_MAX_IN_FLIGHT = 2_000;

/** Counts requests in progress; refuses past a limit so overload is answered, not queued. */
export class InFlightLimit implements Admission {
  private current = 0;
  private closed = false;
  constructor(private readonly limit: number) {}
  tryAcquire(): boolean {
    if (this.closed || this.current >= this.limit) return false;
    this.current++;
    return true;
  }
  release(): void {
    this.current--;
  }
  get inFlight(): number {
    return this.current;
  }
  get draining(): boolean {
    return this.closed;
  }
  /** Admits nothing more; those in progress still release as they are answered. */
  stopAdmitting(): void {
    this.closed = true;
  }
}
