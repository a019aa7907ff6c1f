import type { Deadline } from '../balance/index.js';
import type { Charging } from './context.js';
import type { CreditControlRequest } from './types.js';

/**
 * Starts the request's deadline as it arrives: its arrival plus the store deadline, on the wall
 * clock, because the balance scripts compare it with Redis's TIME (a test's moved clock is not
 * Redis's). Past it the client has had its 5012 and applies its Credit-Control-Failure-Handling
 * (RFC 4006 §5.7), so a charge that Redis runs only then must change nothing.
 */
export function startDeadline(charging: Charging, request: CreditControlRequest): void {
  if (charging.storeDeadlineMs !== undefined) request.deadlineMs = Date.now() + charging.storeDeadlineMs;
}

/** The request's deadline as the balance store takes it; none when the service has no deadline. */
export function deadlineOf(request: CreditControlRequest): Deadline {
  return request.deadlineMs === undefined ? {} : { deadlineMs: request.deadlineMs };
}
